// Drives the lead web form in headless Chromium: the browser's hints, a valid lead that completes, an invalid
// RUT sent anyway that the workflow rejects.
// usage: node webform-test.mjs <form url> <artifacts dir>
// Prints one JSON line with what it saw and the screenshots' paths; exit code 0 only when every check passed.
import { checkDigit, fillLead, randomRut, randomRutBody, runBrowserTest } from "./webform-support.mjs";

const validRut = randomRut();
const badBody = randomRutBody();
const badRut = `${badBody}-${checkDigit(badBody) === "1" ? "2" : "1"}`;

async function hintFor(page, label, value) {
  await page.getByLabel(label).fill(value);
  await page.getByLabel("Store").focus();
  return (await page.locator(`#${await page.getByLabel(label).getAttribute("id")}-error`).textContent()) ?? "";
}

await runBrowserTest("webform", async (page, report) => {
  report.check("title", (await page.title()).includes("LeadFlow"), await page.title());

  // The browser's own hint for a bad RUT, before anything is sent.
  await page.getByLabel("RUT").fill(badRut);
  await page.getByLabel("Phone").focus();
  const hint = await page.locator("#rut-error").textContent();
  report.check("client-side RUT hint", /check digit/.test(hint ?? ""), hint);
  report.check("RUT marked invalid", (await page.getByLabel("RUT").getAttribute("aria-invalid")) === "true", "aria-invalid");

  // The lead rules' hints (lead-rules.js) for the inputs of issue 12; the full table runs in LeadFlow.Leads.Tests.
  report.hints = {
    rutMissingCheckDigit: await hintFor(page, "RUT", "15000005-"),
    rutDoubleHyphen: await hintFor(page, "RUT", "15.000.005--K"),
    mailDoubleDot: await hintFor(page, "E-mail", "ana..perez@example.com"),
    mailRootDot: await hintFor(page, "E-mail", "ana@example.com."),
    mailValid: await hintFor(page, "E-mail", "ana.perez@example.com"),
  };
  report.check("hint: check digit missing", /check digit missing/.test(report.hints.rutMissingCheckDigit), report.hints.rutMissingCheckDigit);
  report.check("hint: double hyphen", /hyphen before the check digit/.test(report.hints.rutDoubleHyphen), report.hints.rutDoubleHyphen);
  report.check("hint: consecutive dots", /single dots/.test(report.hints.mailDoubleDot), report.hints.mailDoubleDot);
  report.check("hint: trailing dot", /no dot at the end/.test(report.hints.mailRootDot), report.hints.mailRootDot);
  report.check("hint: valid mail", report.hints.mailValid === "", report.hints.mailValid);
  await report.screenshot(page, "webform-hints");

  // A valid lead goes all the way.
  await fillLead(page, validRut);
  await page.getByRole("button", { name: "Send lead" }).click();
  await page.locator('#status[data-outcome="Completed"]').waitFor();
  const completed = await page.locator("#status").textContent();
  report.check("completed", /completed: client \d+, partner \d+, benefit \d+/.test(completed ?? ""), completed);
  const ids = await page.locator("#ids dd").allTextContents();
  report.check("ids listed", ids.length === 3 && ids.every((id) => /^\d+/.test(id)), ids.join(","));
  const steps = await page.locator("#steps li").evaluateAll((items) => items.map((i) => i.dataset.state));
  report.check("all steps done", steps.every((s) => s === "done"), steps.join(","));
  await report.screenshot(page, "webform-completed");
  report.completed = completed;

  // An invalid RUT sent anyway: the workflow rejects it and the page says why.
  await page.reload();
  await fillLead(page, badRut);
  await page.locator("details summary").click();
  await page.getByLabel(/Check the fields in the browser first/).uncheck();
  await page.getByRole("button", { name: "Send lead" }).click();
  await page.locator('#status[data-outcome="Rejected"]').waitFor();
  const rejected = await page.locator("#status").textContent();
  report.check("rejected with reason", /rejected at ReceiveLead: rut: check digit does not match/.test(rejected ?? ""), rejected);
  await report.screenshot(page, "webform-rejected");
  report.rejected = rejected;
});
