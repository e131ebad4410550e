// 减负闸: small progressive enhancements, no build step.
// Forms with data-confirm ask before they are sent (withdraw, cancel, delete).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
// A formset's "再加一行" button (data-add-row="PREFIX") copies its <template id="PREFIX-template">.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-add-row]");
  if (!button) return;
  var prefix = button.getAttribute("data-add-row");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var template = document.getElementById(prefix + "-template");
  template.insertAdjacentHTML("beforebegin", template.innerHTML.replace(/__prefix__/g, total.value));
  total.value = String(parseInt(total.value, 10) + 1);
});
