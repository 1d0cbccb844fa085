using AwsModelPlatform.AccessCli;

return await AccessCommand.RunAsync(args, Console.Out, Console.Error);
