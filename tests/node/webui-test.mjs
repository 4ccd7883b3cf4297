// Drives the embedded Temporal server's Web UI in headless Chromium (Debian's /usr/bin/chromium, through
// playwright-core) and checks what a person sees.
// usage: node webui-test.mjs <ui url> <artifacts dir> <spec json>
//   spec: {"namespace", "signIn" (optional: the codec server's one-time sign-in link, opened first), "workflows": [{"id", "runId", "status"}], "filter": {"query", "expectIds": []},
//          "failed": {"id", "runId", "activity", "texts": [], "inputTexts": [], "summaryTexts"?: []}}
// Prints one JSON line with what it saw and the screenshots' paths; exit code 0 only when every check passed.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const [url, artifactsArg, specJson] = process.argv.slice(2);
if (!url || !artifactsArg || !specJson) {
  console.error("usage: node webui-test.mjs <ui url> <artifacts dir> <spec json>");
  process.exit(2);
}
const spec = JSON.parse(specJson);
const artifacts = resolve(artifactsArg);
mkdirSync(artifacts, { recursive: true });
const base = url.endsWith("/") ? url : `${url}/`;
// Generous: the machine may be busy building other projects.
const patience = Number(process.env.WEBUI_TEST_TIMEOUT_MS || 90_000);

const userDataDir = mkdtempSync(join(tmpdir(), "leadflow-webui-"));
const result = { ok: false, checks: [], screenshots: [], consoleErrors: [], pageErrors: [], failedRequests: [] };
let context;

function check(name, passed, detail) {
  result.checks.push({ name, passed, detail });
  if (!passed) throw new Error(`${name} failed: ${detail}`);
}

async function screenshot(page, name) {
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  result.screenshots.push(path);
}

async function waitForTexts(page, texts) {
  try {
    await page.waitForFunction((wanted) => wanted.every((t) => document.body.innerText.includes(t)), texts, { timeout: patience });
    return { passed: true, missing: [] };
  } catch {
    const body = await page.evaluate(() => document.body.innerText);
    return { passed: false, missing: texts.filter((t) => !body.includes(t)), body: body.slice(0, 2000) };
  }
}

async function rowTexts(page) {
  return page.$$eval('[data-testid="workflows-summary-configurable-table-row"]', (rows) => rows.map((r) => r.innerText));
}

try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1600, height: 1800 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(patience);
  page.on("console", (message) => {
    if (message.type() === "error") result.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => result.pageErrors.push(String(error?.stack || error).slice(0, 500)));
  page.on("response", (response) => {
    if (response.status() >= 400) result.failedRequests.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  const ns = encodeURIComponent(spec.namespace);
  // Payloads encrypted: the one-time sign-in link of the codec server gives this browser its session cookie, which the
  // UI sends with every decode call (codec.includeCredentials).
  if (spec.signIn) {
    const signedIn = await page.goto(spec.signIn);
    check("codec sign-in", signedIn?.ok() === true, `${signedIn?.status()} ${spec.signIn}`);
  }

  // 1. The workflow list shows every run with its status.
  await page.goto(`${base}namespaces/${ns}/workflows`);
  const listed = await waitForTexts(page, spec.workflows.map((w) => w.id));
  await screenshot(page, "webui-workflows");
  check("list shows every workflow", listed.passed, JSON.stringify(listed));
  const rows = await rowTexts(page);
  for (const workflow of spec.workflows) {
    const row = rows.find((text) => text.includes(workflow.id));
    check(`status of ${workflow.id}`, !!row && row.includes(workflow.status), `row: ${row}`);
  }

  // 2. Filtering with a search attribute query shows exactly the matching runs.
  await page.goto(`${base}namespaces/${ns}/workflows?query=${encodeURIComponent(spec.filter.query)}`);
  const filtered = await waitForTexts(page, spec.filter.expectIds);
  const others = spec.workflows.map((w) => w.id).filter((id) => !spec.filter.expectIds.includes(id));
  await page.waitForFunction(
    ({ expected }) => document.querySelectorAll('[data-testid="workflows-summary-configurable-table-row"]').length === expected,
    { expected: spec.filter.expectIds.length },
    { timeout: patience },
  ).catch(() => {});
  await screenshot(page, "webui-filtered");
  const filteredRows = await rowTexts(page);
  check("filter shows the matching runs", filtered.passed, JSON.stringify(filtered));
  check(
    "filter shows nothing else",
    filteredRows.length === spec.filter.expectIds.length && !others.some((id) => filteredRows.some((r) => r.includes(id))),
    JSON.stringify(filteredRows),
  );

  // 3. The failed run's history shows the failed activity and the failure message; its input panel the input.
  const failed = spec.failed;
  await page.goto(`${base}namespaces/${ns}/workflows/${encodeURIComponent(failed.id)}/${failed.runId}/history`);
  const history = await waitForTexts(page, [failed.activity, ...failed.texts]);
  await screenshot(page, "webui-failed-history");
  check("history shows the failed activity and the failure", history.passed, JSON.stringify(history));
  const input = await waitForTexts(page, failed.inputTexts);
  check("input panel shows the input", input.passed, JSON.stringify(input));

  // 3b. The run's summary (the starter's StaticSummary), under "Summary & Details".
  if (failed.summaryTexts?.length) {
    await page.getByText("Summary & Details").first().click();
    // The UI renders the summary (markdown) in an iframe of its /render page: read the text there.
    const deadline = Date.now() + patience;
    let shown = "";
    while (Date.now() < deadline && !failed.summaryTexts.every((t) => shown.includes(t))) {
      const frame = page.frames().find((f) => f.url().includes("/render?"));
      shown = frame ? await frame.evaluate(() => document.body.innerText).catch(() => "") : "";
      if (!failed.summaryTexts.every((t) => shown.includes(t))) await page.waitForTimeout(200);
    }
    await screenshot(page, "webui-failed-summary");
    check("summary & details show the run's summary", failed.summaryTexts.every((t) => shown.includes(t)), JSON.stringify({ shown: shown.slice(0, 500) }));
  }

  // 4. The failed activity's event page, reached the way the UI links it.
  const failedEvent = await page.evaluate(async (f) => {
    const response = await fetch(`/api/v1/namespaces/${f.ns}/workflows/${encodeURIComponent(f.id)}/history?execution.runId=${f.runId}`);
    const body = await response.json();
    return body.history.events.find((e) => e.eventType === "EVENT_TYPE_ACTIVITY_TASK_FAILED")?.eventId;
  }, { ns, id: failed.id, runId: failed.runId });
  check("the API lists the ActivityTaskFailed event", !!failedEvent, `event ${failedEvent}`);
  await page.goto(`${base}namespaces/${ns}/workflows/${encodeURIComponent(failed.id)}/${failed.runId}/history/events/${failedEvent}`);
  const eventPage = await waitForTexts(page, [failed.texts[0]]);
  await screenshot(page, "webui-failed-event");
  check("the event page shows the activity failure", eventPage.passed, JSON.stringify(eventPage));

  result.ok = true;
} catch (error) {
  result.error = String(error?.stack || error);
} finally {
  await context?.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}
