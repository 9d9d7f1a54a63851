package dev.eventloop.spring.autoconfigure;

import java.beans.PropertyDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.EventLoopBeans;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Checks the {@code eventloop.*} configuration before any loop is built, so that a bad
 * value or an unknown key fails startup with the name of the property, where it is set
 * and the way to fix it.
 */
final class EventLoopPropertiesValidator {

	private static final String PREFIX = "eventloop.";

	private static final ConfigurationPropertyName LOOPS = ConfigurationPropertyName.of("eventloop.loops");

	private static final ConfigurationPropertyName DEFAULTS = ConfigurationPropertyName.of("eventloop.defaults");

	// EmptyYamlLoopEntries links to SnakeYAML: loading it without SnakeYAML fails
	private static final boolean yamlPresent = ClassUtils.isPresent("org.yaml.snakeyaml.Yaml",
			EventLoopPropertiesValidator.class.getClassLoader());

	private EventLoopPropertiesValidator() {
	}

	/**
	 * Check the bound properties and the keys under {@code eventloop.loops.<name>} and
	 * {@code eventloop.defaults} in every property source of the environment.
	 */
	static void validate(EventLoopProperties properties, Environment environment) {
		checkKeys(environment);
		checkEmptyYamlEntries(properties, environment);
		checkValues(properties, environment);
	}

	private static void checkEmptyYamlEntries(EventLoopProperties properties, Environment environment) {
		if (!yamlPresent) {
			return;
		}
		EmptyYamlLoopEntries.Entry entry = EmptyYamlLoopEntries.find(environment);
		if (entry != null && !properties.getLoops().containsKey(entry.name())) {
			String property = PREFIX + "loops." + entry.name();
			throw new InvalidEventLoopPropertyException(property, "{}", entry.origin(),
					"YAML keeps no property for an empty map, so the loop '" + entry.name() + "' would not exist",
					"Write the entry without a value ('" + entry.name() + ":'), which creates the loop with the"
							+ " default settings, or give it a setting such as 'threads: 1'.");
		}
	}

	/**
	 * Check that every configured loop has a bean definition: always true unless the
	 * application was processed ahead of time with other loops than those configured now.
	 */
	static void checkRegistered(EventLoopProperties properties, Environment environment,
			ListableBeanFactory beanFactory) {
		for (String name : properties.getLoops().keySet()) {
			if (EventLoopBeans.resolveBeanName(beanFactory, name) == null) {
				String property = PREFIX + "loops." + name;
				throw new InvalidEventLoopPropertyException(property, name, origin(environment, property),
						"the loop '" + name + "' is configured now, but the application was processed ahead of time"
								+ " (Spring AOT) without it, and AOT fixes the set of loops at build time",
						"Build the application again (spring-boot:process-aot, or the 'aot' profile) with this"
								+ " loop configured, or start it without '" + property + "'.");
			}
		}
	}

	/**
	 * Return the failure for a loop whose bean definitions were registered with another
	 * configuration than the one read now, which only happens to an application processed
	 * ahead of time.
	 */
	static InvalidEventLoopPropertyException loopSetFixedAtBuildTime(String name, int builtThreads,
			@Nullable Integer configuredThreads) {
		if (configuredThreads == null) {
			return new InvalidEventLoopPropertyException(PREFIX + "loops", name,
					"the application was processed ahead of time (Spring AOT) with a loop '" + name
							+ "', which is not configured now, and AOT fixes the set of loops at build time",
					"Configure '" + PREFIX + "loops." + name + "' as at build time, or build the application again"
							+ " with the loops it should have.");
		}
		return new InvalidEventLoopPropertyException(PREFIX + "loops." + name + ".threads", configuredThreads,
				"the application was processed ahead of time (Spring AOT) with " + builtThreads + " thread(s) for '"
						+ name + "', and AOT fixes the set of loops, with their threads, at build time",
				"Set '" + PREFIX + "loops." + name + ".threads' to " + builtThreads
						+ " or build the application again with the new value; queue capacity, thresholds and"
						+ " the idle strategy can change without a rebuild.");
	}

	/**
	 * Return the keys of a settings class as they are written in configuration, from its
	 * bean properties: the one list of valid keys.
	 */
	static List<String> keysOf(Class<?> settings) {
		List<String> keys = new ArrayList<>();
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(settings)) {
			if (descriptor.getWriteMethod() != null) {
				keys.add(DataObjectPropertyName.toDashedForm(descriptor.getName()));
			}
		}
		Collections.sort(keys);
		return keys;
	}

	private static void checkKeys(Environment environment) {
		List<String> loopKeys = keysOf(EventLoopProperties.Loop.class);
		List<String> defaultKeys = keysOf(EventLoopProperties.Defaults.class);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (!(source instanceof IterableConfigurationPropertySource iterable)) {
				continue;
			}
			for (ConfigurationPropertyName name : iterable) {
				if (LOOPS.isAncestorOf(name) && name.getNumberOfElements() > LOOPS.getNumberOfElements() + 1) {
					checkKey(source, name, LOOPS.getNumberOfElements() + 1, loopKeys, "the settings of a loop",
							PREFIX + "loops." + name.getElement(LOOPS.getNumberOfElements(), Form.ORIGINAL) + ".");
				}
				else if (DEFAULTS.isAncestorOf(name)) {
					checkKey(source, name, DEFAULTS.getNumberOfElements(), defaultKeys, "the default loop settings",
							PREFIX + "defaults.");
				}
			}
		}
	}

	private static void checkKey(ConfigurationPropertySource source, ConfigurationPropertyName name, int index,
			List<String> validKeys, String what, String prefix) {
		String key = name.getElement(index, Form.UNIFORM);
		for (String valid : validKeys) {
			if (ConfigurationPropertyName.of(valid).getElement(0, Form.UNIFORM).equals(key)) {
				return;
			}
		}
		ConfigurationProperty property = source.getConfigurationProperty(name);
		Origin origin = (property != null) ? property.getOrigin() : null;
		String written = name.getElement(index, Form.ORIGINAL);
		String suggestion = closest(key, validKeys);
		throw InvalidEventLoopPropertyException.unknownKey(name.toString(), origin,
				"'" + written + "' is not one of " + what, prefix, validKeys,
				(suggestion != null) ? prefix + suggestion : null);
	}

	/**
	 * Return the valid key nearest to a mistyped one (at most two edits away), if any.
	 */
	private static @Nullable String closest(String key, List<String> validKeys) {
		String best = null;
		int bestDistance = 3;
		for (String valid : validKeys) {
			int distance = distance(key, valid.replace("-", ""));
			if (distance < bestDistance) {
				best = valid;
				bestDistance = distance;
			}
		}
		return best;
	}

	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

	/**
	 * Check every value: a loop setting by handing it to the core builder, whose rules
	 * are the only ones (a rejected value fails startup naming the property, its origin
	 * and the fix); the settings of the Spring integration itself here.
	 */
	private static void checkValues(EventLoopProperties properties, Environment environment) {
		EventLoopProperties.Defaults defaults = properties.getDefaults();
		LoopRules rules = new LoopRules(environment, "defaults");
		rules.check("queue-capacity", defaults.getQueueCapacity(), EventLoopGroup.Builder::queueCapacity);
		rules.check("stall-threshold", defaults.getStallThreshold(), EventLoopGroup.Builder::stallThreshold);
		rules.check("lag-threshold", defaults.getLagThreshold(), EventLoopGroup.Builder::lagThreshold);
		rules.check("lag-probe-interval", defaults.getLagProbeInterval(), EventLoopGroup.Builder::lagProbeInterval);
		Duration shutdownTimeout = properties.getShutdownTimeout();
		if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
			String property = PREFIX + "shutdown-timeout";
			throw new InvalidEventLoopPropertyException(property, shutdownTimeout, origin(environment, property),
					"the drain budget at shutdown must not be negative",
					"Set 'eventloop.shutdown-timeout' to zero or a positive duration such as 30s.");
		}
		if (properties.getMaxInlineDepth() < 1) {
			String property = PREFIX + "max-inline-depth";
			throw new InvalidEventLoopPropertyException(property, properties.getMaxInlineDepth(),
					origin(environment, property), "inline dispatches must be allowed to nest at least once",
					"Set 'eventloop.max-inline-depth' to 1 or more, or remove it to use the default of 16.");
		}
		Integer maxConcurrency = properties.getOffload().getMaxConcurrency();
		if (maxConcurrency != null && maxConcurrency < 1) {
			String property = PREFIX + "offload.max-concurrency";
			throw new InvalidEventLoopPropertyException(property, maxConcurrency, origin(environment, property),
					"offloaded work must be allowed to run at least one task at a time",
					"Set 'eventloop.offload.max-concurrency' to 1 or more, or remove it for no limit.");
		}
		Map<String, String> owners = new LinkedHashMap<>();
		properties.getLoops().forEach((name, loop) -> {
			LoopRules loopRules = new LoopRules(environment, "loops." + name);
			loopRules.check("threads", loop.getThreads(), EventLoopGroup.Builder::threads);
			loopRules.check("queue-capacity", loop.getQueueCapacity(), EventLoopGroup.Builder::queueCapacity);
			loopRules.check("stall-threshold", loop.getStallThreshold(), EventLoopGroup.Builder::stallThreshold);
			loopRules.check("lag-threshold", loop.getLagThreshold(), EventLoopGroup.Builder::lagThreshold);
			loopRules.check("lag-probe-interval", loop.getLagProbeInterval(), EventLoopGroup.Builder::lagProbeInterval);
			claim(environment, owners, name, name, loop.getThreads());
			if (loop.getThreads() > 1) {
				for (int i = 0; i < loop.getThreads(); i++) {
					claim(environment, owners, name + "-" + i, name, loop.getThreads());
				}
			}
		});
	}

	private static void claim(Environment environment, Map<String, String> owners, String loopName, String group,
			int threads) {
		String owner = owners.putIfAbsent(loopName, describe(group, threads));
		if (owner != null) {
			throw new InvalidEventLoopPropertyException(PREFIX + "loops", loopName,
					origin(environment, PREFIX + "loops." + group),
					"the name '" + loopName + "' is used both by " + owner + " and by " + describe(group, threads),
					"Rename one of the entries under 'eventloop.loops' so that no group or loop name repeats"
							+ " (a group of n threads also names its loops '<name>-0' to '<name>-(n-1)').");
		}
	}

	private static String describe(String group, int threads) {
		return (threads > 1) ? "group '" + group + "' (" + threads + " threads)" : "loop '" + group + "'";
	}

	/**
	 * Return where the property (or, for a map entry, its first key) is set, as Boot
	 * reports origins: the file and line, or the property source.
	 */
	private static @Nullable Origin origin(Environment environment, String property) {
		ConfigurationPropertyName name = ConfigurationPropertyName.ofIfValid(property);
		if (name == null) {
			return null;
		}
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			ConfigurationProperty found = source.getConfigurationProperty(name);
			if (found != null) {
				return found.getOrigin();
			}
			if (source instanceof IterableConfigurationPropertySource iterable) {
				ConfigurationPropertyName descendant = iterable.stream()
					.filter(name::isAncestorOf)
					.findFirst()
					.orElse(null);
				if (descendant != null) {
					ConfigurationProperty first = source.getConfigurationProperty(descendant);
					return (first != null) ? first.getOrigin() : null;
				}
			}
		}
		return null;
	}

	/**
	 * The loop settings under one prefix ({@code eventloop.defaults} or
	 * {@code eventloop.loops.<name>}), each checked by the core builder's own rule. The
	 * builder is only configured, never built: no loop starts.
	 */
	private static final class LoopRules {

		private final Environment environment;

		private final String prefix;

		private final String name;

		LoopRules(Environment environment, String path) {
			this.environment = environment;
			this.prefix = PREFIX + path + ".";
			this.name = path.startsWith("loops.") ? path.substring("loops.".length()) : "defaults";
		}

		<T> void check(String key, @Nullable T value, BiConsumer<EventLoopGroup.Builder, T> setting) {
			if (value == null) {
				return;
			}
			try {
				setting.accept(EventLoopGroup.builder(this.name), value);
			}
			catch (IllegalArgumentException ex) {
				String property = this.prefix + key;
				throw new InvalidEventLoopPropertyException(property, value, origin(this.environment, property),
						problem(key), action(property));
			}
		}

		private String problem(String key) {
			return switch (key) {
				case "threads" -> "event loop group '" + this.name + "' needs at least one thread";
				case "queue-capacity" -> "a queue capacity must be zero (unbounded) or positive";
				default -> "the duration must be positive";
			};
		}

		private String action(String property) {
			if (property.endsWith(".threads")) {
				return "Set '" + property + "' to 1 or more, or remove it to get a single loop named '" + this.name
						+ "'.";
			}
			if (property.endsWith(".queue-capacity")) {
				return "Set '" + property + "' to 0 for an unbounded queue or to a positive maximum number of tasks.";
			}
			return "Set '" + property
					+ "' to a positive duration such as 100ms or 2s, or remove it to use the default.";
		}

	}

}
