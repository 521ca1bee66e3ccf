// Prompt editor of a lab: character counter, a submit button that cannot be pressed twice, and the brief
// folded or unfolded as the learner left it on this lab.
// The page works without this file; the server is the real guard (one attempt per form token).
(function () {
  "use strict";

  function setupCounter(form) {
    const textarea = form.querySelector("textarea[data-max-chars]");
    const counter = form.querySelector("[data-char-count]");
    if (!textarea || !counter) {
      return;
    }
    const max = Number(textarea.dataset.maxChars);
    const line = counter.parentElement;
    const update = function () {
      // As the server counts (labs.services.submissions.prompt_length): blanks around the prompt aside.
      const length = textarea.value.trim().length;
      counter.textContent = String(length);
      line.classList.toggle("is-over", length > max);
      line.classList.toggle("is-near", length <= max && length > max * 0.9);
    };
    textarea.addEventListener("input", update);
    update();
  }

  function setupSubmit(form) {
    form.addEventListener("submit", function (event) {
      const button = event.submitter;
      if (!button || !button.matches("[data-submit-attempt]")) {
        return;
      }
      // Disable after the browser has read the form, so the submission itself is not affected.
      window.setTimeout(function () {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
        button.dataset.idleLabel = button.textContent;
        button.textContent = button.dataset.busyLabel || button.textContent;
      }, 0);
    });
  }

  // Back from the attempt page via the history cache: the old token would return the old attempt.
  function resetOnReturn(form) {
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) {
        return;
      }
      const token = form.querySelector("input[name=client_token]");
      if (token && window.crypto && window.crypto.randomUUID) {
        token.value = window.crypto.randomUUID().replace(/-/g, "");
      }
      form.querySelectorAll("[data-submit-attempt][aria-busy]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        button.textContent = button.dataset.idleLabel || button.textContent;
      });
    });
  }

  // <details data-remember-open="key">: its open state survives reloads (localStorage may be unavailable).
  function rememberOpen(details) {
    const key = details.dataset.rememberOpen;
    try {
      const saved = window.localStorage.getItem(key);
      if (saved === "open" || saved === "closed") {
        details.open = saved === "open";
      }
    } catch (error) {
      return;
    }
    details.addEventListener("toggle", function () {
      try {
        window.localStorage.setItem(key, details.open ? "open" : "closed");
      } catch (error) {
        // Private browsing with storage disabled: the brief simply starts folded next time.
      }
    });
  }

  document.querySelectorAll("details[data-remember-open]").forEach(rememberOpen);

  document.querySelectorAll("form[data-lab-editor]").forEach(function (form) {
    setupCounter(form);
    setupSubmit(form);
    resetOnReturn(form);
  });
})();
