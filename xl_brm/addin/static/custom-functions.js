// Custom functions of the xl-brm Office add-in (namespace BRM): each call is posted to
// /xlwings/custom-functions-call on this server, where the Python function in udfs.functions runs.
/* global Office, CustomFunctions, Excel, fetch, window */

let brmRuntime = "1.1";
Office.onReady(function () {
  for (const version of ["1.4", "1.3", "1.2"]) {
    if (Office.context.requirements.isSetSupported("CustomFunctionsRuntime", version)) {
      brmRuntime = version;
      break;
    }
  }
});

async function brmCall(funcName, args, invocation) {
  await Office.onReady();
  const body = {
    func_name: funcName,
    args: args,
    caller_address: invocation && invocation.address ? invocation.address : null,
    content_language: Office.context.contentLanguage,
    version: "{{XLWINGS_VERSION}}",
    client: "Office.js",
    runtime: brmRuntime,
  };
  const response = await fetch(window.location.origin + "/xlwings/custom-functions-call", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const message = await response.text();
    throw new CustomFunctions.Error(CustomFunctions.ErrorCode.invalidValue, message);
  }
  return (await response.json()).result;
}
