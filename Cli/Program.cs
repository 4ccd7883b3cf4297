using LeadFlow.Cli;

// leadflow demo | up | send | status | redrive | failures   (leadflow --help for each verb's options)
return await LeadFlowCli.RunAsync(args, LeadFlowCli.CreateConsole());
