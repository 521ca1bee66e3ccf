// Course form: fill the slug from the title while the trainer has not typed a slug of their own.
(() => {
  "use strict";

  function slugify(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9\s-]/g, "")
      .trim()
      .replace(/[\s-]+/g, "-")
      .slice(0, 110);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[data-slug-from]").forEach((slug) => {
      const title = document.getElementById(slug.dataset.slugFrom);
      if (!title) return;
      let automatic = slug.value === "";
      slug.addEventListener("input", () => {
        automatic = slug.value === "";
      });
      title.addEventListener("input", () => {
        if (automatic) slug.value = slugify(title.value);
      });
    });
  });
})();
