using LeadFlow.Ingress;
using LeadFlow.Ingress.Commands;

// Without a verb (or with `serve`) this is the ingress service: HTTP intake, plus the SQS
// poller when Ingress__Sqs__QueueUrl is set.
return args.FirstOrDefault() switch
{
    "publish" => await PublishCommand.RunAsync(args[1..]),
    "send" => await SendCommand.RunAsync(args[1..]),
    "redrive" => await RedriveCommand.RunAsync(args[1..]),
    "serve" => await ServeAsync(args[1..]),
    "help" or "--help" or "-h" => Usage(),
    _ => await ServeAsync(args),
};

static async Task<int> ServeAsync(string[] args)
{
    await IngressApp.Build(args).RunAsync();
    return 0;
}

static int Usage()
{
    Console.WriteLine("""
        usage: LeadFlow.Ingress [serve] [--urls http://localhost:5090]
               LeadFlow.Ingress publish <leads.json>        leads onto the EventBridge bus (Publisher__*, AWS_*)
               LeadFlow.Ingress send <leads.json> [--url U]  leads to the HTTP intake at U
               LeadFlow.Ingress redrive <leadId>            re-run a failed lead from its original event
        """);
    return 0;
}
