// Deep linking: send the trainer's choice back to the platform at once (the button stays for no-JS).
document.querySelectorAll("form[data-lti-autosubmit]").forEach((form) => form.submit());
