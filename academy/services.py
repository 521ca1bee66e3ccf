"""Writes about accounts and organisations."""

from django.db import transaction

from academy.models import Organisation, User


def organisation_get_or_create(*, name: str) -> Organisation | None:
    name = " ".join(name.split())
    if not name:
        return None
    existing = Organisation.objects.filter(name__iexact=name).first()
    return existing or Organisation.objects.create(name=name)


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    organisation_name: str = "",
    preferred_language: str = "fr",
    role: str = User.Role.LEARNER,
) -> User:
    user = User(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation_get_or_create(name=organisation_name),
        preferred_language=preferred_language,
        role=role,
        is_staff=role == User.Role.ADMIN,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_update_profile(
    *, user: User, first_name: str, last_name: str, preferred_language: str, organisation_name: str
) -> User:
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.preferred_language = preferred_language
    user.organisation = organisation_get_or_create(name=organisation_name)
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "preferred_language", "organisation"])
    return user


def user_set_language(*, user: User, language: str) -> None:
    """Remember the interface language the user picked in the switcher."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
