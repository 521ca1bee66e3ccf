// Small progressive enhancements; every page works without this file.
document.documentElement.classList.add("js");

document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]")) {
    target.form.requestSubmit();
  }
});

// A table that scrolls sideways (on a phone, or in its frame) and holds nothing focusable can still be
// scrolled from the keyboard: it joins the tab order.
const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
function makeScrollersFocusable() {
  document.querySelectorAll("main table, main .table-wrap, main .table-scroll").forEach((element) => {
    if (element.hasAttribute("tabindex") || element.scrollWidth <= element.clientWidth) {
      return;
    }
    if (getComputedStyle(element).overflowX === "visible" || element.querySelector(FOCUSABLE)) {
      return;
    }
    element.tabIndex = 0;
  });
}
makeScrollersFocusable();
let resizeTimer;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(makeScrollersFocusable, 200);
});
