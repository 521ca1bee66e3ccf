// Rubric editor: show only the fields the chosen kind of criterion uses.
// Without this file every field stays visible and the server ignores the unused ones.
(function () {
  function sync(form) {
    const kind = form.querySelector("[data-criterion-field=kind]");
    if (!kind) return;
    form.querySelectorAll("[data-criterion-kinds]").forEach((block) => {
      block.hidden = !block.dataset.criterionKinds.split(" ").includes(kind.value);
    });
    const check = form.querySelector("[data-criterion-field=video_check]");
    const colour = form.querySelector("[data-criterion-field=colour]");
    if (check && colour) {
      colour.closest(".field").hidden = check.value !== "colour_present";
    }
  }

  function init() {
    document.querySelectorAll(".criterion-form").forEach((form) => {
      sync(form);
      form.addEventListener("change", () => sync(form));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
