using LeadFlow.Ingress.Codec;

// The codec server: POST /codec/decode and /codec/encode for the Temporal Web UI and CLI. Settings: README, "Personal data".
await CodecServerApp.Build(args).RunAsync();
