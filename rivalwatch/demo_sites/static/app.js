// Demo site behaviour: cookie banner consent.
document.querySelectorAll("[data-consent]").forEach(function (button) {
  button.addEventListener("click", function () {
    document.cookie = "consent=" + button.dataset.consent + "; path=/; max-age=31536000";
    document.querySelector("[data-cookie-banner]").hidden = true;
  });
});
