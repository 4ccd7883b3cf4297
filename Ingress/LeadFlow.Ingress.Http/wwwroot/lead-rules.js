// The lead contract's field rules for the browser: a copy of LeadFlow.Leads (Rut.cs, MailAddress.cs,
// LeadFields.cs) that gives the same verdict, rule id and message for every input. LeadFlow.Leads.Tests runs
// one table of inputs through both (tests/node/lead-rules-check.mjs). Read the C# doc comments for the
// rules and their sources (SII layout for the RUT; RFC 5321/5322/1035/5890 for mail).
// A classic script with no dependencies: it defines globalThis.LeadRules.
"use strict";

(() => {
  // .NET's char.IsWhiteSpace set, the one String.Trim and IsNullOrWhiteSpace use. JS's own trim() differs:
  // it strips U+FEFF and keeps U+0085.
  const SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const EDGE_SPACE = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, "g");
  // Unicode category Cc, as char.IsControl.
  const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
  const DIGITS = /^[0-9]+$/;

  const trim = (value) => value.replace(EDGE_SPACE, "");
  const isBlank = (value) => value == null || trim(value) === "";
  const fail = (rule, message) => ({ rule, message });

  const MAX_NAME = 100;
  const MAX_MAIL = 254;
  const MAX_STORE = 64;
  const MAX_ORIGIN = 32;
  const MAX_PHONE = 24;
  const MIN_PHONE_DIGITS = 8;
  const MAX_PHONE_DIGITS = 15;

  function text(value, max, required) {
    if (isBlank(value)) return required ? fail("required", "is required") : null;
    if (trim(value).length > max) return fail("maxLength", `must be at most ${max} characters`);
    return CONTROL.test(value) ? fail("noControlCharacters", "must not contain control characters") : null;
  }

  // --- RUT (Rut.cs) ---
  const RUT_MAX_INPUT = 16;
  const RUT_MAX_BODY_DIGITS = 8;
  const RUT_FORMAT = "must be digits with an optional hyphen before the check digit 0-9 or K, dots only between groups of three, e.g. 12.345.678-5";

  function rutCheckDigit(body) {
    let sum = 0;
    let weight = 2;
    for (let i = body.length - 1; i >= 0; i--) {
      sum += Number(body[i]) * weight;
      weight = weight === 7 ? 2 : weight + 1;
    }
    const digit = 11 - (sum % 11);
    return digit === 11 ? "0" : digit === 10 ? "K" : String(digit);
  }

  // The significant digits of a body (12.345.678, 012345678), or null when it breaks the rules.
  function rutBody(bodyText) {
    const groups = bodyText.split(".");
    const dotted = groups.length > 1;
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i];
      const sized = !dotted || (i === 0 ? group.length >= 1 && group.length <= 3 : group.length === 3);
      if (!sized || group.length === 0 || !DIGITS.test(group)) return null;
    }
    const digits = groups.join("").replace(/^0+/, "");
    return digits.length >= 1 && digits.length <= RUT_MAX_BODY_DIGITS ? digits : null;
  }

  const isCheckDigit = (c) => (c >= "0" && c <= "9") || c === "K";

  // { shape: "blank" | "tooLong" | "malformed" | "checkDigitMissing" | "complete", body, checkDigit }
  function parseRut(input) {
    if (isBlank(input)) return { shape: "blank" };
    if (input.length > RUT_MAX_INPUT) return { shape: "tooLong" };
    const value = trim(input).replace(/k/g, "K");
    let bodyText;
    let checkDigit;
    const hyphen = value.indexOf("-");
    if (hyphen >= 0) {
      bodyText = value.slice(0, hyphen);
      const rest = value.slice(hyphen + 1);
      if (rest.length === 0) return { shape: rutBody(bodyText) === null ? "malformed" : "checkDigitMissing" };
      if (rest.length !== 1 || !isCheckDigit(rest)) return { shape: "malformed" };
      checkDigit = rest;
    } else if (value.includes(".")) {
      // Grouping dots leave no room for a check digit without its hyphen: 12.345.678 is a body.
      return { shape: rutBody(value) === null ? "malformed" : "checkDigitMissing" };
    } else {
      bodyText = value.slice(0, -1);
      checkDigit = value.slice(-1);
      if (!isCheckDigit(checkDigit)) return { shape: "malformed" };
    }
    const body = rutBody(bodyText);
    return body === null ? { shape: "malformed" } : { shape: "complete", body, checkDigit };
  }

  /** The RUT's broken rule ({ rule, message }) or, when valid, { rule: null, normalized: "12345678-5" }. */
  function rut(value) {
    const parsed = parseRut(value);
    switch (parsed.shape) {
      case "blank": return fail("required", "is required");
      case "tooLong": return fail("rut.format", `must be at most ${RUT_MAX_INPUT} characters`);
      case "malformed": return fail("rut.format", RUT_FORMAT);
      case "checkDigitMissing": return fail("rut.checkDigitMissing", "check digit missing: write it after the hyphen, e.g. 12.345.678-5");
      default: {
        const expected = rutCheckDigit(parsed.body);
        return parsed.checkDigit === expected
          ? { rule: null, normalized: `${parsed.body}-${expected}` }
          : fail("rut.checkDigit", `check digit does not match the number (mod-11 gives ${expected})`);
      }
    }
  }

  // --- Mail (MailAddress.cs) ---
  const MAX_LOCAL_PART = 64;
  const MAX_LABEL = 63;
  const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;
  const LDH_LABEL = /^[A-Za-z0-9-]+$/;

  const isLdhLabel = (label) => label.length >= 1 && label.length <= MAX_LABEL
    && label[0] !== "-" && label[label.length - 1] !== "-" && LDH_LABEL.test(label);

  function mailSyntaxProblem(address) {
    const at = address.indexOf("@");
    if (at <= 0 || at === address.length - 1 || address.indexOf("@", at + 1) >= 0) {
      return "must be an e-mail address like name@example.com";
    }
    const local = address.slice(0, at);
    if (local.length > MAX_LOCAL_PART) return `must have at most ${MAX_LOCAL_PART} characters before the @`;
    if (!local.split(".").every((atom) => ATOM.test(atom))) {
      return "may have only unaccented letters, digits and !#$%&'*+-/=?^_`{|}~ before the @, with single dots between them";
    }
    const labels = address.slice(at + 1).split(".");
    if (labels.length < 2 || !labels.every(isLdhLabel)) {
      return `must have a domain like example.com after the @: unaccented letters, digits and inner hyphens, 1 to ${MAX_LABEL} per name, names joined by single dots, no dot at the end`;
    }
    return DIGITS.test(labels[labels.length - 1]) ? "must end in a top-level domain name such as .cl, not a number" : null;
  }

  function mail(value) {
    const error = text(value, MAX_MAIL, true);
    if (error) return error;
    const problem = mailSyntaxProblem(trim(value));
    return problem ? fail("mail.format", problem) : null;
  }

  // --- Phone (LeadFields.Phone) ---
  function phone(value) {
    const error = text(value, MAX_PHONE, true);
    if (error) return error;
    if (!/^[0-9 +\-()]+$/.test(trim(value))) return fail("phone.format", "may contain only digits, spaces and + - ( )");
    const digits = value.replace(/[^0-9]/g, "").length;
    return digits < MIN_PHONE_DIGITS || digits > MAX_PHONE_DIGITS
      ? fail("phone.digits", `must have ${MIN_PHONE_DIGITS} to ${MAX_PHONE_DIGITS} digits`)
      : null;
  }

  const FIELDS = {
    name: (v) => text(v, MAX_NAME, true),
    lastname: (v) => text(v, MAX_NAME, true),
    rut: (v) => { const verdict = rut(v); return verdict.rule ? verdict : null; },
    phone,
    mail,
    store: (v) => text(v, MAX_STORE, true),
    origin: (v) => text(v, MAX_ORIGIN, false),
  };

  /** The broken rule of one field's value, { rule, message }, or null when the value is valid. */
  function check(field, value) {
    const rule = FIELDS[field];
    if (!rule) throw new Error(`no rule for the field ${field}`);
    return rule(value);
  }

  globalThis.LeadRules = Object.freeze({ check, rut, rutCheckDigit, fields: Object.freeze(Object.keys(FIELDS)) });
})();
