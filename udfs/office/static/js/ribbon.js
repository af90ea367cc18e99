// The Benefits ribbon tab of the xl-brm Office add-in. Replaces xlwings Server's sample
// ribbon.js (same path, so its base page loads this one instead).
//
// Each task-pane button carries the manifest's <FunctionName> (data-ribbon-action) and the
// @script it runs (xw-click). The ribbon button with that FunctionName runs the same script
// through the xlwings client (xlwings.runPython: it reads the workbook, posts it to
// /xlwings/custom-scripts-call/<script> on this server and applies the actions that come back).
// A failure is shown in the task pane's message banner, and the task pane is brought up so the
// user sees it: a ribbon button never fails silently.
/* global Office, xlwings, document, globalThis */

async function brmRunFromRibbon(scriptName, event) {
  const banner = document.querySelector("#global-error-alert");
  if (banner) banner.classList.add("d-none");
  try {
    const auth =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    await xlwings.runPython({
      scriptName: scriptName,
      auth: auth.token,
      headers: { "Auth-Provider": auth.provider },
      errorDisplayMode: "taskpane",
    });
  } catch (error) {
    // runPython reports its own failures in the banner; this is for anything before it
    if (banner) {
      banner.querySelector("span").textContent = String(error);
      banner.classList.remove("d-none");
    }
  }
  try {
    if (banner && !banner.classList.contains("d-none")) {
      await Office.addin.showAsTaskpane();
    }
  } finally {
    event.completed();
  }
}

document.querySelectorAll("[data-ribbon-action]").forEach(function (button) {
  Office.actions.associate(button.dataset.ribbonAction, function (event) {
    return brmRunFromRibbon(button.getAttribute("xw-click"), event);
  });
});
