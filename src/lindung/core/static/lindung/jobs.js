// Polls a background job's progress (read from the database by whichever web process answers)
// and reloads the page once the job has finished, to show its result. The page holds one box
// with data-progress-url whose id is "<prefix>-progress" (the job page's "job", the standard
// import page's "import"); its bar, percentage and status are "<prefix>-bar", "-percent", "-status".
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box || box.getAttribute("data-finished") === "1") { return; }
  var prefix = box.id.replace(/-progress$/, "");
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById(prefix + "-bar");
  var percent = document.getElementById(prefix + "-percent");
  var status = document.getElementById(prefix + "-status");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        percent.textContent = data.percent + "%";
        status.textContent = data.status_label;
        status.setAttribute("data-status", data.status);
        if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
});
