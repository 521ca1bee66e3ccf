// Small progressive enhancements; every page works without this file.
document.documentElement.classList.add("js");

document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]")) {
    target.form.requestSubmit();
  }
});
