// Outline editor enhancements. Without this file the ↑/↓ buttons are plain POST forms.
// 1. After an htmx move, focus returns to the button that was pressed (keyboard users keep their place).
// 2. Drag and drop of steps (within a module) and of modules; the new order is POSTed as JSON.
(() => {
  "use strict";

  let focusedId = null;
  document.addEventListener("htmx:beforeRequest", () => {
    focusedId = document.activeElement && document.activeElement.id;
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (!focusedId) return;
    let target = document.getElementById(focusedId);
    if (target && target.disabled) {
      // Reached the end: move focus to the opposite arrow of the same item.
      const other = focusedId.endsWith("-up") ? focusedId.replace(/-up$/, "-down") : focusedId.replace(/-down$/, "-up");
      target = document.getElementById(other);
    }
    if (target) target.focus();
    focusedId = null;
  });

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function refresh(container) {
    if (window.htmx) {
      window.htmx.ajax("GET", container.dataset.refreshUrl, { target: "#outline", select: "#outline", swap: "outerHTML" });
    } else {
      window.location.reload();
    }
  }

  function send(container, list) {
    const ids = Array.from(list.children).map((item) => Number(item.dataset.id));
    const payload = list.dataset.reorderKind === "modules" ? { modules: ids } : { module: Number(list.dataset.moduleId), steps: ids };
    fetch(container.dataset.reorderUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload),
    }).finally(() => refresh(container));
  }

  function enable(container) {
    let dragged = null;
    container.querySelectorAll("[data-reorder-kind] > li").forEach((item) => {
      item.draggable = true;
      item.classList.add("draggable");
    });
    container.addEventListener("dragstart", (event) => {
      const item = event.target.closest && event.target.closest("[data-reorder-kind] > li");
      if (!item) return;
      dragged = item;
      event.stopPropagation();
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.dataset.id);
      item.classList.add("dragging");
    });
    container.addEventListener("dragover", (event) => {
      if (!dragged) return;
      const over = event.target.closest && event.target.closest("[data-reorder-kind] > li");
      // Only reorder among siblings: a step stays in its module, a module among modules.
      if (!over || over === dragged || over.parentElement !== dragged.parentElement) return;
      event.preventDefault();
      const box = over.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      over.parentElement.insertBefore(dragged, after ? over.nextSibling : over);
    });
    container.addEventListener("drop", (event) => {
      if (dragged) event.preventDefault();
    });
    container.addEventListener("dragend", () => {
      if (!dragged) return;
      const list = dragged.parentElement;
      dragged.classList.remove("dragging");
      dragged = null;
      send(container, list);
    });
  }

  function init(root) {
    const container = root.id === "outline" ? root : root.querySelector && root.querySelector("#outline");
    if (container && container.dataset.reorderUrl) enable(container);
  }

  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:afterSwap", (event) => {
    const outline = document.getElementById("outline");
    if (outline && !outline.querySelector(".draggable")) init(outline);
  });
})();
