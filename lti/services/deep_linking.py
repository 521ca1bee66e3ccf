"""Deep linking: a trainer picks a lab, lesson or course; the platform gets a resource link back."""

from __future__ import annotations

from dataclasses import dataclass

from lti_tool.models import LtiLaunch
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from lti.services.launch import TARGET_CLAIM, Target

MAX_SCORE = 100


@dataclass(frozen=True)
class DeepLinkResponse:
    return_url: str
    jwt: str


def deep_link_resource(*, target: Target, launch_url: str) -> DeepLinkResource:
    """An LTI resource link to ``target``; a lab also brings its line item (out of 100, labelled by the lab)."""
    resource = (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(target.step.title if target.step else target.course.title)
        .set_custom_params({TARGET_CLAIM: target.as_claim()})
    )
    lab = getattr(target.step, "lab", None) if target.step else None
    if lab is not None:
        resource.set_lineitem(
            LineItem()
            .set_label(lab.title)
            .set_score_maximum(MAX_SCORE)
            .set_resource_id(target.as_claim())
            .set_tag("academy-lab")
        )
    return resource


def deep_link_response(*, launch: LtiLaunch, target: Target, launch_url: str) -> DeepLinkResponse:
    deep_link = launch.get_message_launch().get_deep_link()
    settings_claim = launch.get_claim("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings")
    resource = deep_link_resource(target=target, launch_url=launch_url)
    return DeepLinkResponse(
        return_url=settings_claim["deep_link_return_url"], jwt=deep_link.get_response_jwt([resource])
    )
