// The web form sends one event id per filled-in form: a double click, a second submission while the first is in
// flight, and a retry after a network failure or a 5xx all carry the same Idempotency-Key, so the intake starts one
// workflow per form; the id is renewed once a lead was accepted, when the values were changed, and by "New lead".
// usage: node webform-double-submit-test.mjs <form url> <artifacts dir>
// Prints one JSON line: checks, screenshots and "forms": [{ scenario, keys, requests: [{ key, outcome }] }], where
// outcome is the intake's Started / Duplicate, or what the test did to the request (aborted, lost, http-503).
// The .NET test counts the workflows each form started. Exit code 0 only when every check passed.
import { fillLead, randomRut, runBrowserTest } from "./webform-support.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

await runBrowserTest("webform-double-submit", async (page, report, url) => {
  report.forms = [];

  // Every POST /events of the page goes through here; a scenario may meddle with the request first.
  let form = null;
  let meddle = null;
  await page.route("**/events", async (route) => {
    const request = route.request();
    const sent = { key: request.headers()["idempotency-key"] ?? null, outcome: "pending" };
    form.requests.push(sent);
    if (!form.keys.includes(sent.key)) form.keys.push(sent.key);
    const action = meddle ? await meddle(route, form.requests.length) : "continue";
    if (action === "continue") {
      const response = await route.fetch();
      const body = await response.json().catch(() => null);
      sent.outcome = body?.entries?.[0]?.status ?? `http-${response.status()}`;
      await route.fulfill({ response });
    } else {
      sent.outcome = action;
    }
  });

  async function newForm(scenario, interfere = null) {
    await page.goto(url);
    form = { scenario, keys: [], requests: [] };
    meddle = interfere;
    report.forms.push(form);
    await fillLead(page, randomRut());
  }

  const sendButton = () => page.getByRole("button", { name: "Send lead" });
  const waitForOutcome = async (outcome) => page.locator(`#status[data-outcome="${outcome}"]`).waitFor();
  const startedCount = () => form.requests.filter((r) => r.outcome === "Started").length;

  // 1. A double click on Send: the first click disables the button, the second is lost on it.
  await newForm("double-click");
  await sendButton().dblclick();
  await waitForOutcome("Completed");
  report.check("double click: one event id", form.keys.length === 1, JSON.stringify(form.requests));
  report.check("double click: one start", startedCount() === 1, JSON.stringify(form.requests));
  await report.screenshot(page, "webform-double-click");

  // 2. Two separate clicks in quick succession, at the mouse level.
  await newForm("two-clicks");
  const box = await sendButton().boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await waitForOutcome("Completed");
  report.check("two clicks: one event id", form.keys.length === 1, JSON.stringify(form.requests));
  report.check("two clicks: one start", startedCount() === 1, JSON.stringify(form.requests));

  // 3. A second submission while the first is in flight, past the disabled button (a script can): both requests
  //    carry the same id; the intake starts one workflow and answers Duplicate to the other.
  let releaseFirst;
  const firstHeld = new Promise((resolve) => { releaseFirst = resolve; });
  await newForm("submit-in-flight", async (_route, n) => {
    if (n === 1) await firstHeld;
    return "continue";
  });
  await sendButton().click();
  await page.waitForFunction(() => document.getElementById("submit").disabled);
  report.check("in flight: Send disabled", await sendButton().isDisabled(), "the button stays enabled while a POST is in flight");
  await report.screenshot(page, "webform-in-flight");
  await page.evaluate(() => document.getElementById("lead-form").requestSubmit());
  while (form.requests.length < 2) await sleep(20);
  releaseFirst();
  await waitForOutcome("Completed");
  while (form.requests.some((r) => r.outcome === "pending")) await sleep(20);
  report.check("in flight: two requests, one event id", form.requests.length === 2 && form.keys.length === 1, JSON.stringify(form.requests));
  report.check("in flight: one Started, one Duplicate", startedCount() === 1 && form.requests.filter((r) => r.outcome === "Duplicate").length === 1, JSON.stringify(form.requests));

  // 4. The first request fails on the network before reaching the intake; Send again reuses the id.
  await newForm("network-error", async (route, n) => {
    if (n > 1) return "continue";
    await route.abort("failed");
    return "aborted";
  });
  await sendButton().click();
  await waitForOutcome("error");
  const networkError = await page.locator("#status").textContent();
  report.check("network error: said, retry offered", /could not be reached.*Send again/.test(networkError ?? ""), networkError);
  await report.screenshot(page, "webform-network-error");
  await sendButton().click();
  await waitForOutcome("Completed");
  report.check("network error: the retry reuses the id", form.requests.length === 2 && form.keys.length === 1, JSON.stringify(form.requests));
  report.check("network error: the retry starts the lead", form.requests[1].outcome === "Started", JSON.stringify(form.requests));

  // 5. The intake got the lead and started it, but its answer was lost: the retry is a duplicate, not a second lead.
  await newForm("answer-lost", async (route, n) => {
    if (n > 1) return "continue";
    await route.fetch();
    await route.abort("connectionreset");
    return "lost";
  });
  await sendButton().click();
  await waitForOutcome("error");
  await sendButton().click();
  await waitForOutcome("Completed");
  report.check("answer lost: the retry reuses the id", form.keys.length === 1, JSON.stringify(form.requests));
  report.check("answer lost: the retry is a duplicate", form.requests[1].outcome === "Duplicate", JSON.stringify(form.requests));
  report.duplicateStatus = await page.locator("#status").textContent();

  // 6. A 5xx after the intake started the lead (as when Temporal fails mid-request): retried with the same id.
  await newForm("http-503", async (route, n) => {
    if (n > 1) return "continue";
    await route.fetch();
    await route.fulfill({ status: 503, contentType: "application/problem+json", json: { title: "Temporal is unavailable; send the events again later.", status: 503 } });
    return "http-503";
  });
  await sendButton().click();
  await waitForOutcome("error");
  const unavailable = await page.locator("#status").textContent();
  report.check("503: said, retry offered", /could not take the lead now.*Send again/.test(unavailable ?? ""), unavailable);
  await report.screenshot(page, "webform-503");
  await sendButton().click();
  await waitForOutcome("Completed");
  report.check("503: the retry reuses the id and is a duplicate", form.keys.length === 1 && form.requests[1].outcome === "Duplicate", JSON.stringify(form.requests));

  // 7. Edited after a failed attempt: the changed form is another lead (a new id), not a duplicate of the first
  //    values. Here the first attempt never reached the intake, so the form still starts one workflow.
  await newForm("edited-after-network-error", async (route, n) => {
    if (n > 1) return "continue";
    await route.abort("failed");
    return "aborted";
  });
  await sendButton().click();
  await waitForOutcome("error");
  await page.getByLabel("Phone").fill("+56 9 7777 9999");
  await sendButton().click();
  await waitForOutcome("Completed");
  report.check("edited: a new id", form.keys.length === 2 && form.requests[1].outcome === "Started", JSON.stringify(form.requests));

  // 8. After an accepted lead the id is renewed: Send again is another lead, and so is "New lead".
  const accepted = form;
  form = { scenario: "send-again-after-success", keys: [], requests: [] };
  meddle = null;
  report.forms.push(form);
  await sendButton().click();
  await waitForOutcome("Completed");
  report.check("after success: a new id", form.keys.length === 1 && !accepted.keys.includes(form.keys[0]), JSON.stringify([accepted.keys, form.keys]));
  report.check("after success: a new lead", startedCount() === 1, JSON.stringify(form.requests));

  const previous = form;
  form = { scenario: "new-lead", keys: [], requests: [] };
  report.forms.push(form);
  await page.getByRole("button", { name: "New lead" }).click();
  report.check("new lead: the form is empty", (await page.getByLabel("RUT").inputValue()) === "" && (await page.locator("#progress").isHidden()), "fields or progress left over");
  await fillLead(page, randomRut());
  await sendButton().click();
  await waitForOutcome("Completed");
  report.check("new lead: a new id", form.keys.length === 1 && !previous.keys.includes(form.keys[0]), JSON.stringify([previous.keys, form.keys]));
  await report.screenshot(page, "webform-new-lead");
});
