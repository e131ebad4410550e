// 减负闸: the proposal form's live preview (提交预检), no build step.
// The server answers with what submitting would do now — the same function
// that refuses a submission computes it (approvals.assessment) — and this
// file only shows it: quota position, problems (marked on their fields),
// the next day free of meetings, escalation reasons and the estimated cost.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  var panel = document.getElementById("preview");
  if (!form || !panel || !window.fetch) { return; }
  var timer = null;
  var latest = 0;
  var nextDay = "";

  function token() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function show(id, on) { document.getElementById(id).hidden = !on; }

  function fill(list, texts) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    texts.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
  }

  function markFields(problems) {
    form.querySelectorAll(".has-problem").forEach(function (el) {
      el.classList.remove("has-problem");
      el.removeAttribute("aria-invalid");
    });
    problems.forEach(function (problem) {
      form.querySelectorAll("[name='" + problem.field + "']").forEach(function (el) {
        el.classList.add("has-problem");
        el.setAttribute("aria-invalid", "true");
      });
    });
  }

  function drawCalendar(days) {
    var strip = document.getElementById("preview-calendar");
    while (strip.firstChild) { strip.removeChild(strip.firstChild); }
    days.forEach(function (day) {
      var cell = document.createElement("span");
      cell.className = "day" + (day.free ? " meeting-free" : "") + (day.chosen ? " chosen" : "");
      cell.textContent = day.label + " " + day.weekday;
      cell.setAttribute("data-date", day.date);
      if (day.free) { cell.title = day.rule; }
      strip.appendChild(cell);
    });
    strip.hidden = days.length === 0;
  }

  function render(body) {
    var display = body.display || {};
    panel.hidden = false;
    show("preview-error", false);
    var quota = document.getElementById("preview-quota");
    quota.querySelector(".text").textContent = display.position || "";
    var state = quota.querySelector(".state");
    state.textContent = display.state_label || "";
    state.className = "state" + (body.quota ? " state-" + body.quota.state_after : "");
    state.setAttribute("data-state", body.quota ? body.quota.state_after : "");
    quota.hidden = !display.position;
    panel.setAttribute("data-emergency-only", display.emergency_only ? "1" : "0");

    fill(document.querySelector("#preview-problems ul"), body.problems.map(function (p) { return p.message; }));
    show("preview-problems", body.problems.length > 0);
    show("preview-ok", body.problems.length === 0);
    markFields(body.problems);

    nextDay = body.next_free_day || "";
    document.querySelector("#preview-free-day .text").textContent =
      nextDay ? "之后第一个可以开会的工作日：" + display.next_free_day : "";
    show("preview-free-day", !!nextDay);
    drawCalendar(display.calendar || []);

    fill(document.querySelector("#preview-escalations ul"), body.escalation_reasons);
    show("preview-escalations", body.escalation_reasons.length > 0);

    var cost = document.getElementById("preview-cost");
    if (body.estimated_cost && Number(body.estimated_cost.amount) > 0) {
      cost.querySelector(".amount").textContent = Number(body.estimated_cost.amount).toLocaleString("zh-CN", {minimumFractionDigits: 2});
      cost.querySelector(".formula").textContent = body.estimated_cost.formula;
      cost.hidden = false;
    } else {
      cost.hidden = true;
    }
  }

  function refresh() {
    var mine = ++latest;
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: {"X-CSRFToken": token(), "Accept": "application/json"}
    }).then(function (response) {
      return response.ok ? response.json() : Promise.reject(response.status);
    }).then(function (body) {
      if (mine === latest) { render(body); }
    }).catch(function () {
      if (mine === latest) { panel.hidden = false; show("preview-error", true); }
    });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  // Move the meeting to the suggested day, keeping its times and length.
  document.getElementById("preview-use-day").addEventListener("click", function () {
    var start = form.querySelector("[name=start]");
    var end = form.querySelector("[name=end]");
    if (!nextDay || !start || !start.value) { return; }
    var oldDay = start.value.slice(0, 10);
    var shift = (Date.parse(nextDay) - Date.parse(oldDay));
    start.value = nextDay + start.value.slice(10);
    if (end && end.value) {
      var moved = new Date(Date.parse(end.value.slice(0, 10)) + shift).toISOString().slice(0, 10);
      end.value = moved + end.value.slice(10);
    }
    later();
  });

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();
})();
