// Ribbon buttons and task-pane buttons of the xl-brm Office add-in.
// Each runs one `@script` of udfs.ribbon on this server through the xlwings Office.js client
// (xlwings.runPython), which posts the workbook and applies the actions that come back.
/* global Office, xlwings, document, window */

const BRM_SCRIPTS = {{SCRIPTS}};

async function brmRun(script) {
  const status = document.getElementById("status");
  if (status) status.textContent = "Working…";
  await xlwings.runPython(window.location.origin + "/xlwings/custom-scripts-call/" + script);
  if (status) status.textContent = "Done.";
}

Office.onReady(function () {
  for (const [action, script] of Object.entries(BRM_SCRIPTS)) {
    // Ribbon buttons (<FunctionName> in the manifest) must call event.completed().
    Office.actions.associate(action, async function (event) {
      try {
        await brmRun(script);
      } finally {
        event.completed();
      }
    });
  }
  document.querySelectorAll("button[data-script]").forEach(function (button) {
    button.addEventListener("click", function () {
      brmRun(button.dataset.script);
    });
  });
});
