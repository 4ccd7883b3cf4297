using System.Text.Json.Nodes;

namespace LeadFlow.StepFunctions.Tests.Support;

/// <summary>
/// What asl-validator's schema does not catch and Step Functions would only reject at deploy time,
/// or accept and then behave badly: returns one line per problem.
/// </summary>
public static class AslChecks
{
    private const string All = "States.ALL";

    public static IReadOnlyList<string> Problems(JsonObject definition)
    {
        var problems = new List<string>();
        var states = AslDocument.States(definition);
        foreach (var (name, node) in states)
        {
            var state = node!.AsObject();
            var type = state["Type"]?.GetValue<string>();
            foreach (var target in Targets(state))
            {
                if (!states.ContainsKey(target))
                {
                    problems.Add($"{name}: goes to {target}, which is not a state");
                }
            }

            if (type is "Task" or "Pass" or "Wait" or "Map" or "Parallel" && state["Next"] is null && state["End"]?.GetValue<bool>() != true)
            {
                problems.Add($"{name}: neither Next nor End");
            }

            if (type == "Task" && AslDocument.Items(state["Catch"]).All(c => !AslDocument.Strings(c["ErrorEquals"]).Contains(All)))
            {
                problems.Add($"{name}: a Task without a States.ALL Catch can end the execution without the error step");
            }

            problems.AddRange(ErrorListProblems(name, "Retry", state["Retry"]));
            problems.AddRange(ErrorListProblems(name, "Catch", state["Catch"]));
            foreach (var retrier in AslDocument.Items(state["Retry"]))
            {
                if (retrier["BackoffRate"] is { } rate && rate.GetValue<double>() < 1)
                {
                    problems.Add($"{name}: BackoffRate {rate} is below 1");
                }

                if (retrier["IntervalSeconds"] is { } interval && retrier["MaxDelaySeconds"] is { } cap && cap.GetValue<int>() < interval.GetValue<int>())
                {
                    problems.Add($"{name}: MaxDelaySeconds below IntervalSeconds");
                }
            }
        }

        var startAt = definition["StartAt"]?.GetValue<string>() ?? "";
        if (!states.ContainsKey(startAt))
        {
            problems.Add($"StartAt {startAt} is not a state");
        }

        var reachable = Reachable(states, startAt);
        problems.AddRange(states.Select(s => s.Key).Where(s => !reachable.Contains(s)).Select(s => $"{s}: not reachable from {startAt}"));
        return problems;
    }

    /// <summary>Every state a state can go to: Next, a Choice's branches and Default, a Catch's Next.</summary>
    public static IEnumerable<string> Targets(JsonObject state)
    {
        if (state["Next"] is { } next)
        {
            yield return next.GetValue<string>();
        }

        if (state["Default"] is { } fallback)
        {
            yield return fallback.GetValue<string>();
        }

        foreach (var item in AslDocument.Items(state["Choices"]).Concat(AslDocument.Items(state["Catch"])))
        {
            if (item["Next"] is { } target)
            {
                yield return target.GetValue<string>();
            }
        }
    }

    private static IEnumerable<string> ErrorListProblems(string state, string field, JsonNode? list)
    {
        var entries = AslDocument.Items(list).Select(e => AslDocument.Strings(e["ErrorEquals"])).ToList();
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Count == 0)
            {
                yield return $"{state}: {field}[{i}] has an empty ErrorEquals";
            }

            if (entries[i].Contains(All) && entries[i].Count > 1)
            {
                yield return $"{state}: {field}[{i}] mixes States.ALL with other errors";
            }

            if (entries[i].Contains(All) && i != entries.Count - 1)
            {
                yield return $"{state}: {field}[{i}] is States.ALL but not last";
            }
        }
    }

    private static HashSet<string> Reachable(JsonObject states, string startAt)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([startAt]);
        while (pending.TryPop(out var name))
        {
            if (seen.Add(name) && states[name] is JsonObject state)
            {
                foreach (var target in Targets(state))
                {
                    pending.Push(target);
                }
            }
        }

        return seen;
    }
}
