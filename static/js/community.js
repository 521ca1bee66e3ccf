// Timeline marks on review pages: seek buttons, markers on a track, « Marquer ce moment ».
// Every page works without this file: marks are then typed by hand and listed as plain text.
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  const timecode = (seconds) => {
    const tenths = Math.round(seconds * 10) / 10;
    const minutes = Math.floor(tenths / 60);
    const rest = (tenths - minutes * 60).toFixed(1).replace(/\.0$/, "");
    const [whole, fraction] = rest.split(".");
    return `${minutes}:${pad(whole)}${fraction ? "." + fraction : ""}`;
  };

  const videoFor = (element) => {
    const holder = element.closest("[data-video]");
    const id = holder ? holder.dataset.video : "";
    return id ? document.getElementById(id) : document.querySelector("video");
  };

  // Markers: positioned from their time (inline styles are refused by the page's security policy).
  const placeMarkers = (root) => {
    root.querySelectorAll("[data-timeline]").forEach((timeline) => {
      const video = videoFor(timeline);
      const duration = (video && video.duration) || parseFloat(timeline.dataset.duration) || 0;
      if (!duration) return;
      timeline.querySelectorAll(".timeline-marker").forEach((marker) => {
        const at = Math.min(parseFloat(marker.dataset.at) / duration, 1);
        marker.style.left = `${(at * 100).toFixed(2)}%`;
      });
    });
  };

  document.addEventListener("click", (event) => {
    const seek = event.target.closest("[data-seek]");
    if (seek) {
      const video = videoFor(seek);
      if (video) {
        video.currentTime = parseFloat(seek.dataset.seek);
        video.pause();
        video.focus();
      }
      return;
    }
    const markNow = event.target.closest("[data-mark-now]");
    if (markNow) {
      const editor = markNow.closest("[data-marks-editor]");
      const video = videoFor(editor);
      if (!video) return;
      video.pause();
      const rows = editor.querySelector("[data-mark-rows]");
      let row = Array.from(rows.querySelectorAll("[data-mark-row]")).find(
        (candidate) => !candidate.querySelector("input[name=mark_at]").value.trim(),
      );
      if (!row) {
        const last = rows.querySelector("[data-mark-row]:last-child");
        row = last.cloneNode(true);
        const n = rows.querySelectorAll("[data-mark-row]").length + 1;
        row.querySelectorAll("input").forEach((input) => {
          const base = input.name === "mark_at" ? "mark-at-" : "mark-note-";
          input.id = base + n;
          input.value = "";
          input.closest(".field").querySelector("label").htmlFor = base + n;
        });
        row.querySelectorAll(".error").forEach((error) => error.remove());
        rows.appendChild(row);
      }
      const stamp = timecode(video.currentTime || 0);
      row.querySelector("input[name=mark_at]").value = stamp;
      const note = row.querySelector("input[name=mark_note]");
      note.focus();
      const status = editor.querySelector("[data-mark-status]");
      if (status) status.textContent = status.dataset.template.replace("%s", stamp);
    }
  });

  document.addEventListener("loadedmetadata", () => placeMarkers(document), true);
  document.addEventListener("DOMContentLoaded", () => placeMarkers(document));
  document.addEventListener("htmx:afterSwap", (event) => placeMarkers(event.target));
})();
