using LeadFlow.StepFunctions.Definition;

// Writes the generated state machine definition: dotnet run --project StepFunctions/LeadFlow.StepFunctions.Definition -- StepFunctions/lead-onboarding.asl.json
if (args is not [var path])
{
    Console.Error.WriteLine("usage: LeadFlow.StepFunctions.Definition <output.asl.json>   (or - for standard output)");
    return 2;
}

var text = AslDefinition.BuildText();
if (path == "-")
{
    Console.Out.Write(text);
}
else
{
    await File.WriteAllTextAsync(path, text);
    Console.WriteLine($"Wrote {Path.GetFullPath(path)}");
}

return 0;
