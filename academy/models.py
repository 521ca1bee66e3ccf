import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy.validators import RejectControlCharactersModel


class Organisation(RejectControlCharactersModel):
    """A learner's employer. Funding data about it lives in the funding app."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


def normalise_email(value: str) -> str:
    """The one spelling of an address: accounts, login and the login lockout all use it."""
    return BaseUserManager.normalize_email((value or "").strip()).lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": normalise_email(username)})


def default_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Fuseau horaire inconnu : %(value)s."), params={"value": value}, code="time_zone")


class User(RejectControlCharactersModel, AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address."""

    class Role(models.TextChoices):
        LEARNER = "learner", _("Apprenant·e")
        TRAINER = "trainer", _("Formateur·rice")
        ADMIN = "admin", _("Administrateur·rice")

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.LEARNER)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    preferred_language = models.CharField(
        _("langue préférée"),
        max_length=8,
        choices=[("fr", "Français"), ("en", "English")],
        default="fr",
        help_text=_(
            "La langue de vos e-mails et notifications, et du site quand ce navigateur n'en a pas choisi une autre."
        ),
    )
    time_zone = models.CharField(
        _("fuseau horaire"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("Toutes les dates et heures du site et des e-mails sont affichées dans ce fuseau."),
    )
    # Unread in-site notifications, kept on the row the session already loads: the header's count costs no query.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = normalise_email(self.email)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def is_trainer(self) -> bool:
        return self.role == self.Role.TRAINER or self.is_admin

    @property
    def is_admin(self) -> bool:
        return self.is_staff or self.role == self.Role.ADMIN


class PendingSignup(RejectControlCharactersModel):
    """A sign-up waiting for its address to be confirmed; the account is created from it then.

    Nothing about it shows to the visitor, so the sign-up form answers the
    same whether or not the address already has an account. The password is
    kept hashed, like an account's; only a hash of the link's token is kept,
    so the database alone cannot confirm anyone. Rows past their deadline
    are deleted by the next sign-up.
    """

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    preferred_language = models.CharField(_("langue préférée"), max_length=8, default="fr")
    password = models.CharField(max_length=128)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inscription à confirmer")
        verbose_name_plural = _("inscriptions à confirmer")

    def __str__(self):
        return self.email
