"""A lab attempt done with the keyboard only: Tab, type, Enter, then the video's controls by Tab."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import PRODUCT_LAB, log_in, seed_demo, wait_until_graded

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAX_TABS = 80
MIN_FOCUS_CONTRAST = 3.0  # WCAG 2.2, 1.4.11: non-text contrast of the focus indicator

# The focused element's outline and the colour behind it (the nearest opaque ancestor background).
FOCUS_RING_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let node = el.parentElement, behind = "rgb(255, 255, 255)";
  while (node) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && bg !== "transparent" && !bg.startsWith("rgba(0, 0, 0, 0)")) { behind = bg; break; }
    node = node.parentElement;
  }
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor, behind};
}"""


def _tab_to(page: Page, matches: str, *, description: str) -> None:
    """Press Tab until the focused element matches the JS predicate ``matches`` (given ``el``)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({matches}); }}"):
            return
    raise AssertionError(f"{description} is not reachable with Tab within {MAX_TABS} presses")


def _luminance(rgb: str) -> float:
    channels = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _assert_visible_focus(page: Page, what: str) -> None:
    ring = page.evaluate(FOCUS_RING_JS)
    assert ring["style"] != "none" and ring["width"] >= 2, f"{what} shows no focus outline: {ring}"
    contrast = _contrast(ring["colour"], ring["behind"])
    assert contrast >= MIN_FOCUS_CONTRAST, f"{what}: focus outline contrast {contrast:.2f}:1 is below 3:1 ({ring})"


def test_a_lab_attempt_can_be_completed_with_the_keyboard_only(page, celery_worker, screenshot):
    from labs.models import Lab

    # given: the demo learner on the lab page, the mouse never used from here on
    seed_demo()
    lab = Lab.objects.get(slug=PRODUCT_LAB)
    log_in(page, "apprenant@demo.academy")
    page.goto(lab.get_absolute_url())

    # when: Tab reaches the prompt editor, which shows where the focus is
    _tab_to(page, "el.id === 'id_prompt'", description="the prompt editor")
    _assert_visible_focus(page, "the prompt editor")

    # and the learner types the prompt, then tabs to the submit button and presses Enter
    page.keyboard.type(lab.reference_prompt.strip())
    expect(page.locator("#coach .prompt-view")).to_be_visible()
    _tab_to(page, "el.matches('[data-submit-attempt]')", description="the « Générer et noter » button")
    _assert_visible_focus(page, "the submit button")
    screenshot(page, "submit-focused")
    page.keyboard.press("Enter")

    # then: the attempt is graded and its video's controls are reachable with Tab
    expect(page).to_have_url(re.compile(r"/labos/tentatives/\d+/$"))
    wait_until_graded(page)
    _tab_to(page, "el.tagName === 'VIDEO'", description="the video player")
    _assert_visible_focus(page, "the video player")
    screenshot(page, "video-focused")

    # and the keyboard starts the video
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('.lab-video video').currentTime > 0.2")
