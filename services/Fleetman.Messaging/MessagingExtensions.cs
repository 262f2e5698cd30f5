using Fleetman.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleetman.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// Adds the broker client (options from the "Broker" section, validated at start), the publisher, and a "broker"
    /// readiness check. Add consumers on the returned builder.
    /// </summary>
    public static MessagingBuilder AddMessaging(this IHostApplicationBuilder builder, string sectionName = BrokerOptions.SectionName)
    {
        builder.AddValidatedOptions<BrokerOptions>(sectionName);
        builder.Services.TryAddSingleton<BrokerClient>();
        builder.Services.TryAddSingleton<IMessagePublisher, MessagePublisher>();
        builder.Services.AddHostedService<BrokerConnector>();
        builder.Services.AddHealthChecks().AddCheck<BrokerHealthCheck>("broker", tags: ["ready"]);
        return new MessagingBuilder(builder);
    }
}

/// <summary>Registers the consumers of a service, each with its options section.</summary>
public sealed class MessagingBuilder(IHostApplicationBuilder builder)
{
    public IHostApplicationBuilder Builder => builder;

    /// <summary>Consumes <paramref name="destination"/> one message at a time with <typeparamref name="THandler"/> (resolved per message in its own scope).</summary>
    public MessagingBuilder AddConsumer<TMessage, THandler>(Destination destination, string sectionName)
        where THandler : class, IMessageHandler<TMessage>
    {
        builder.Services.TryAddScoped<THandler>();
        return AddConsumer<TMessage>(destination, sectionName, (provider, client, options, logger) =>
            MessageConsumer.ForSingleMessages<TMessage>(client, destination, options, async (message, token) =>
            {
                await using var scope = provider.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(message, token);
            }, logger));
    }

    /// <summary>Consumes <paramref name="destination"/> in batches with <typeparamref name="THandler"/> (resolved per batch in its own scope).</summary>
    public MessagingBuilder AddBatchConsumer<TMessage, THandler>(Destination destination, string sectionName)
        where THandler : class, IBatchMessageHandler<TMessage>
    {
        builder.Services.TryAddScoped<THandler>();
        return AddConsumer<TMessage>(destination, sectionName, (provider, client, options, logger) =>
            new MessageConsumer<TMessage>(client, destination, options, options.BatchSize, async (batch, token) =>
            {
                await using var scope = provider.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(batch, token);
            }, logger));
    }

    /// <summary>
    /// Publishes the depth of <paramref name="queue"/> as the gauge <c>fleetman_messaging_queue_depth{queue="..."}</c>,
    /// polled from ActiveMQ's statisticsBrokerPlugin over a connection of its own (options from
    /// <paramref name="sectionName"/>: <c>PollIntervalSeconds</c>, <c>ReplyTimeoutSeconds</c>). A broker without the plugin,
    /// or one that is down, leaves the gauge unknown and consuming untouched.
    /// </summary>
    public MessagingBuilder AddQueueDepthGauge(Destination queue, string sectionName = QueueDepthOptions.SectionName)
    {
        if (!queue.IsQueue)
        {
            throw new ArgumentException($"Only queues have a depth; {queue} is a topic.", nameof(queue));
        }

        builder.AddValidatedOptions<QueueDepthOptions>(sectionName, optionsName: sectionName);
        builder.Services.AddSingleton<IHostedService>(provider => new QueueDepthGauge(
            queue,
            provider.GetRequiredService<IOptions<BrokerOptions>>().Value,
            provider.GetRequiredService<IOptionsMonitor<QueueDepthOptions>>().Get(sectionName),
            provider.GetRequiredService<ILogger<QueueDepthGauge>>()));
        return this;
    }

    private MessagingBuilder AddConsumer<TMessage>(
        Destination destination, string sectionName,
        Func<IServiceProvider, BrokerClient, ConsumerOptions, ILogger, MessageConsumer<TMessage>> create)
    {
        builder.AddValidatedOptions<ConsumerOptions>(sectionName, optionsName: sectionName);
        builder.Services.AddSingleton<IHostedService>(provider => new ConsumerService<TMessage>(() => create(
            provider,
            provider.GetRequiredService<BrokerClient>(),
            provider.GetRequiredService<IOptionsMonitor<ConsumerOptions>>().Get(sectionName),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger($"Fleetman.Messaging.Consumer.{destination.Name}"))));
        return this;
    }
}

/// <summary>Starts the broker connection with the host (without waiting for the broker) and closes it last.</summary>
internal sealed class BrokerConnector(BrokerClient client) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        client.Start();
        return Task.CompletedTask;
    }

    // The client itself is disposed by the container after every hosted service, consumers included, has stopped.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Runs one consumer for the life of the host; stopping it lets in-flight messages finish first.</summary>
internal sealed class ConsumerService<TMessage>(Func<MessageConsumer<TMessage>> create) : IHostedService
{
    private MessageConsumer<TMessage>? _consumer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _consumer = create();
        _consumer.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _consumer?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}

/// <summary>Ready only while connected to the broker.</summary>
internal sealed class BrokerHealthCheck(BrokerClient client) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(client.IsConnected
            ? HealthCheckResult.Healthy($"Connected to {client.Options}.")
            : HealthCheckResult.Unhealthy($"Not connected to the broker at {client.Options}: {client.LastError ?? "connecting"}."));
}
