using System.Diagnostics.CodeAnalysis;
using Fleetman.Messaging.Stomp;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Fleetman.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// Adds the transport chosen by <c>Messaging:Transport</c> (<c>Stomp</c>, the default, with the "Broker" section
    /// validated at start; or <c>InMemory</c>), the topology, the publisher, and a "broker" readiness check.
    /// Add consumers on the returned builder.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>Messaging:Transport</c> names no transport.</exception>
    public static MessagingBuilder AddMessaging(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var transport = Transport(builder.Configuration);
        builder.AddValidatedOptions<MessagingOptions>(MessagingOptions.SectionName, static (section, options) => section.Bind(options));
        builder.Services.TryAddSingleton(provider => new MessageTopology(provider.GetRequiredService<IOptions<MessagingOptions>>()));
        if (transport == MessagingTransport.InMemory)
        {
            builder.Services.TryAddSingleton(provider => new InMemoryBroker(provider.GetRequiredService<MessageTopology>()));
            builder.Services.TryAddSingleton<IMessageTransport>(provider => provider.GetRequiredService<InMemoryBroker>().Transport);
        }
        else
        {
            builder.AddValidatedOptions<BrokerOptions>(BrokerOptions.SectionName, static (section, options) => section.Bind(options));
            builder.Services.TryAddSingleton<IMessageTransport, BrokerClient>();
        }

        builder.Services.TryAddSingleton<IMessagePublisher, MessagePublisher>();
        builder.Services.AddHostedService<TransportConnector>();
        builder.Services.AddHealthChecks().AddCheck<BrokerHealthCheck>("broker", tags: ["ready"]);
        return new MessagingBuilder(builder, transport);
    }

    private static MessagingTransport Transport(IConfiguration configuration)
    {
        var key = $"{MessagingOptions.SectionName}:{nameof(MessagingOptions.Transport)}";
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return MessagingTransport.Stomp;
        }

        return Enum.TryParse<MessagingTransport>(value, ignoreCase: true, out var transport) && Enum.IsDefined(transport)
            ? transport
            : throw new InvalidOperationException(
                $"Invalid setting {key} ({key.Replace(":", "__", StringComparison.Ordinal)}): '{value}' is not a transport; use {string.Join(" or ", Enum.GetNames<MessagingTransport>())}.");
    }
}

/// <summary>Registers the consumers of a service, each with its options section; the topology says where each message type comes from.</summary>
public sealed class MessagingBuilder
{
    private readonly IHostApplicationBuilder _builder;
    private readonly MessagingTransport _transport;

    internal MessagingBuilder(IHostApplicationBuilder builder, MessagingTransport transport)
    {
        _builder = builder;
        _transport = transport;
    }

    public IHostApplicationBuilder Builder => _builder;

    /// <summary>Consumes <typeparamref name="TMessage"/> one message at a time with <typeparamref name="THandler"/> (resolved per message in its own scope).</summary>
    public MessagingBuilder AddConsumer<TMessage, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string sectionName)
        where THandler : class, IMessageHandler<TMessage>
    {
        _builder.Services.TryAddScoped<THandler>();
        return AddConsumer<TMessage>(sectionName, (provider, transport, destination, options, logger) =>
            MessageConsumer.ForSingleMessages<TMessage>(transport, destination, options, async (message, token) =>
            {
                await using var scope = provider.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(message, token);
            }, logger));
    }

    /// <summary>Consumes <typeparamref name="TMessage"/> one message at a time with a function (a listener in a test or tool).</summary>
    public MessagingBuilder AddConsumer<TMessage>(string sectionName, Func<MessageContext<TMessage>, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddConsumer<TMessage>(sectionName, (_, transport, destination, options, logger) =>
            MessageConsumer.ForSingleMessages(transport, destination, options, handler, logger));
    }

    /// <summary>Consumes <typeparamref name="TMessage"/> in batches with <typeparamref name="THandler"/> (resolved per batch in its own scope).</summary>
    public MessagingBuilder AddBatchConsumer<TMessage, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string sectionName)
        where THandler : class, IBatchMessageHandler<TMessage>
    {
        _builder.Services.TryAddScoped<THandler>();
        return AddConsumer<TMessage>(sectionName, (provider, transport, destination, options, logger) =>
            new MessageConsumer<TMessage>(transport, destination, options, options.BatchSize, async (batch, token) =>
            {
                await using var scope = provider.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(batch, token);
            }, logger));
    }

    /// <summary>
    /// Publishes the depth of <typeparamref name="TMessage"/>'s queue as the gauge
    /// <c>fleetman_messaging_queue_depth{queue="..."}</c>, polled from ActiveMQ's statisticsBrokerPlugin over a connection
    /// of its own (options from <paramref name="sectionName"/>: <c>PollIntervalSeconds</c>, <c>ReplyTimeoutSeconds</c>).
    /// A broker without the plugin, or one that is down, leaves the gauge unknown and consuming untouched. The in-memory
    /// transport has no gauge (<see cref="InMemoryBroker.Depth{TMessage}"/> tells the depth).
    /// </summary>
    public MessagingBuilder AddQueueDepthGauge<TMessage>(string sectionName = QueueDepthOptions.SectionName)
    {
        if (MessageTopology.Default.TryRouteOf<TMessage>() is { Destination.IsQueue: false } route)
        {
            throw new ArgumentException($"Only queues have a depth; {typeof(TMessage).Name} travels on topic {route.Destination.Name}.", nameof(TMessage));
        }

        if (_transport != MessagingTransport.Stomp)
        {
            return this;
        }

        _builder.AddValidatedOptions<QueueDepthOptions>(sectionName, static (section, options) => section.Bind(options), optionsName: sectionName);
        _builder.Services.AddSingleton<IHostedService>(provider => new QueueDepthGauge(
            provider.GetRequiredService<MessageTopology>().RouteOf<TMessage>().Destination,
            provider.GetRequiredService<IOptions<BrokerOptions>>().Value,
            provider.GetRequiredService<IOptionsMonitor<QueueDepthOptions>>().Get(sectionName),
            provider.GetRequiredService<ILogger<QueueDepthGauge>>()));
        return this;
    }

    private MessagingBuilder AddConsumer<TMessage>(
        string sectionName,
        Func<IServiceProvider, IMessageTransport, Destination, ConsumerOptions, ILogger, MessageConsumer<TMessage>> create)
    {
        _builder.AddValidatedOptions<ConsumerOptions>(sectionName, static (section, options) => section.Bind(options), optionsName: sectionName);
        _builder.Services.AddSingleton<IHostedService>(provider => new ConsumerService<TMessage>(() =>
        {
            var destination = provider.GetRequiredService<MessageTopology>().RouteOf<TMessage>().Destination;
            return create(
                provider,
                provider.GetRequiredService<IMessageTransport>(),
                destination,
                provider.GetRequiredService<IOptionsMonitor<ConsumerOptions>>().Get(sectionName),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger($"Fleetman.Messaging.Consumer.{destination.Name}"));
        }));
        return this;
    }
}

/// <summary>Starts the transport with the host (without waiting for the broker) and closes it last.</summary>
internal sealed class TransportConnector(IMessageTransport transport) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        transport.Start();
        return Task.CompletedTask;
    }

    // The transport itself is disposed by the container after every hosted service, consumers included, has stopped.
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

/// <summary>Ready only while the transport is connected.</summary>
internal sealed class BrokerHealthCheck(IMessageTransport transport) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(transport.IsConnected
            ? HealthCheckResult.Healthy($"Connected to {transport}.")
            : HealthCheckResult.Unhealthy($"Not connected to {transport}: {transport.LastError ?? "connecting"}."));
}
