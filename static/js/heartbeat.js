// Attendance for remote training: while the lesson is on screen, tell the
// server every 30 s. The server keeps one clock per learner and credits at
// most 60 s per beat, so several open tabs, a hidden or sleeping tab, or a
// replayed request cannot inflate the time.
(() => {
  const marker = document.querySelector("[data-heartbeat-url]");
  if (!marker) return;
  const url = marker.dataset.heartbeatUrl;
  const tokenHolder = document.body.getAttribute("hx-headers");
  let csrfToken = "";
  try {
    csrfToken = JSON.parse(tokenHolder || "{}")["X-CSRFToken"] || "";
  } catch (_error) {
    csrfToken = "";
  }
  const INTERVAL_MS = 30000;

  const beat = () => {
    if (document.visibilityState !== "visible") return;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken, "X-Requested-With": "fetch" },
      keepalive: true,
    }).catch(() => {});
  };

  setInterval(beat, INTERVAL_MS);
})();
