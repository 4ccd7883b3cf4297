// A lead sent through the web form shows up in the Aspire dashboard `leadflow up` started: its telemetry API lists the
// lead's trace (intake -> workflow -> steps -> backend -> SQL), and the trace page draws it (screenshot).
// usage: node dashboard-test.mjs <form url> <artifacts dir> <dashboard url>
// Prints one JSON line with what it saw and the screenshots' paths; exit code 0 only when every check passed.
import { fillLead, randomRut, runBrowserTest } from "./webform-support.mjs";

const dashboard = process.argv[4];

function attribute(span, key) {
  const found = (span.attributes ?? []).find((a) => a.key === key);
  return found?.value?.stringValue ?? found?.value?.intValue;
}

/** Every span the dashboard's API returns, flattened, with its resource's service name. */
async function spans() {
  const response = await fetch(new URL("api/telemetry/traces", dashboard));
  if (!response.ok) throw new Error(`GET /api/telemetry/traces answered ${response.status}`);
  const body = await response.json();
  return (body.data?.resourceSpans ?? []).flatMap((resource) =>
    (resource.scopeSpans ?? []).flatMap((scope) => (scope.spans ?? []).map((span) => ({ ...span, scope: scope.scope?.name }))));
}

await runBrowserTest("dashboard", async (page, report) => {
  report.check("dashboard url given", Boolean(dashboard), String(dashboard));

  // The lead, through the form as a person sends it; the form's POST answers with the run it started.
  await fillLead(page, randomRut());
  const posted = page.waitForResponse((r) => r.url().includes("/form/events") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Send lead" }).click();
  const answer = await (await posted).json();
  const workflowId = answer.workflowId ?? answer.entries?.[0]?.workflowId;
  report.check("form answered with a workflow id", typeof workflowId === "string", JSON.stringify(answer));
  await page.locator('#status[data-outcome="Completed"]').waitFor();

  // The dashboard's API: the trace holding this lead's start, once its last step's spans arrived (export is batched).
  let trace = [];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const all = await spans();
    const start = all.find((s) => s.name === "StartWorkflow:LeadOnboardingWorkflow" && attribute(s, "leadflow.lead.id") === workflowId);
    trace = start ? all.filter((s) => s.traceId === start.traceId) : [];
    if (trace.some((s) => s.name === "RunActivity:CreateBenefit") && trace.some((s) => s.scope === "Npgsql")) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const names = [...new Set(trace.map((s) => s.name))].sort();
  report.traceId = trace[0]?.traceId;
  report.spanNames = names;
  report.check("trace listed by /api/telemetry/traces", trace.length > 0, workflowId);
  for (const name of ["RunWorkflow:LeadOnboardingWorkflow", "RunActivity:ReceiveLead", "RunActivity:CreateClient", "RunActivity:CreatePartner", "RunActivity:CreateBenefit"]) {
    report.check(`span ${name}`, names.includes(name), names.join(", "));
  }
  report.check("backend SQL in the trace", trace.some((s) => s.scope === "Npgsql"), names.join(", "));

  // The trace page draws its rows after its live connection opens: wait for a span that is never the root (the title
  // names the root), then take the picture.
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto(new URL(`traces/detail/${report.traceId}`, dashboard).toString());
  await page.getByText("StartActivity:CreateBenefit").first().waitFor();
  await report.screenshot(page, "dashboard-trace");
});
