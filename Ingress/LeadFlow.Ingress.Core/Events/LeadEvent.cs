namespace LeadFlow.Ingress.Events;

/// <summary>An EventBridge envelope that passed the envelope checks; its lead is validated later, inside the workflow.</summary>
/// <param name="EventId">The envelope's <c>id</c>, or a stable id derived from its content when it had none.</param>
/// <param name="IdWasDerived">True when <see cref="EventId"/> came from the content hash.</param>
/// <param name="EnvelopeJson">The envelope exactly as received, as text.</param>
/// <param name="ContentSha256">Lower-case hex SHA-256 of the raw envelope bytes: tells a redelivery from a different event reusing an id.</param>
public sealed record LeadEvent(string EventId, bool IdWasDerived, string EnvelopeJson, string ContentSha256);
