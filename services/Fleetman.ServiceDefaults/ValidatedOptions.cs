using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Fleetman.ServiceDefaults;

/// <summary>Options bound from one configuration section and checked when the service starts.</summary>
public static class ValidatedOptions
{
    // What binding and checking read of an options class by reflection: a trimmed or AOT build keeps them for every
    // TOptions, without which it could not even construct one.
    private const DynamicallyAccessedMemberTypes OptionsMembers =
        DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.PublicProperties;

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> (a flat class) to the section <paramref name="sectionName"/>, checks its
    /// DataAnnotations attributes when the host starts, and names each bad setting as a user writes it:
    /// <c>Broker:Port (environment variable Broker__Port): The field Port must be between 1 and 65535.</c>
    /// A value that cannot be converted (<c>Port=abc</c>) is reported the same way instead of failing deep in the binder.
    /// </summary>
    /// <param name="optionsName">A named options instance (e.g. one per consumer); the default instance when null.</param>
    public static OptionsBuilder<TOptions> AddValidatedOptions<[DynamicallyAccessedMembers(OptionsMembers)] TOptions>(this IHostApplicationBuilder builder, string sectionName, string? optionsName = null)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionName);

        var name = optionsName ?? Options.DefaultName;
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new SettingsValidator<TOptions>(sectionName, name));
        return builder.Services.AddOptions<TOptions>(name)
            .Configure<IConfiguration>((options, configuration) => Bind(options, configuration.GetSection(sectionName), name))
            .ValidateOnStart();
    }

    private static void Bind<[DynamicallyAccessedMembers(OptionsMembers)] TOptions>(TOptions options, IConfigurationSection section, string name)
        where TOptions : class
    {
        // The binder converts values with the same TypeConverters; trying them first lets us name the setting.
        var failures = new List<string>();
        foreach (var property in SettableProperties(typeof(TOptions)))
        {
            var key = KeyOf(property);
            if (section[key] is not { } value)
            {
                continue;
            }

            var converter = TypeDescriptor.GetConverter(property.PropertyType);
            if (!converter.CanConvertFrom(typeof(string)))
            {
                continue;
            }

            try
            {
                converter.ConvertFromInvariantString(value);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException)
            {
                var typeName = (Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType).Name;
                failures.Add(Describe(section.Path, key, $"'{value}' is not a valid {typeName}."));
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(name, typeof(TOptions), failures);
        }

        section.Bind(options);
    }

    private static IEnumerable<PropertyInfo> SettableProperties([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.SetMethod is { IsPublic: true });

    private static string KeyOf(PropertyInfo property) =>
        property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;

    private static string Describe(string sectionPath, string? key, string problem)
    {
        var path = key is null ? sectionPath : ConfigurationPath.Combine(sectionPath, key);
        // Environment variables cannot contain ':', so .NET maps "__" to it.
        return $"{path} (environment variable {path.Replace(":", "__", StringComparison.Ordinal)}): {problem}";
    }

    /// <summary>DataAnnotations validation whose messages name configuration keys instead of C# members.</summary>
    private sealed class SettingsValidator<[DynamicallyAccessedMembers(OptionsMembers)] TOptions>(string sectionName, string optionsName) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            if (name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }

            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }

            var failures = new List<string>();
            foreach (var result in results)
            {
                var problem = result.ErrorMessage ?? "is invalid.";
                var members = result.MemberNames.ToList();
                if (members.Count == 0)
                {
                    failures.Add(Describe(sectionName, key: null, problem));
                }

                foreach (var member in members)
                {
                    var property = typeof(TOptions).GetProperty(member);
                    failures.Add(Describe(sectionName, property is null ? member : KeyOf(property), problem));
                }
            }

            return ValidateOptionsResult.Fail(failures);
        }
    }
}
