// 减负闸: small progressive enhancements, no build step.
// Forms with data-confirm ask before they are sent (withdraw, cancel, delete).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
