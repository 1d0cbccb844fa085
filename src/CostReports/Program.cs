using AwsModelPlatform.CostReports;

return Cli.Run(args, Console.Out, Console.Error);
