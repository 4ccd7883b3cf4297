using LeadFlow.Ingress.Http;

// The HTTP intake: POST /events, GET /leads/{id} and the lead form. Settings: README, "Configuration".
await IngressApp.Build(args).RunAsync();
