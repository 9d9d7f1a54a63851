package dev.eventloop.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.Resource;
import org.springframework.util.ClassUtils;

/**
 * Finds loops written as an empty map ({@code pricing: {}}) in the YAML files the
 * environment was loaded from. Spring Boot's YAML loading keeps no property for an empty
 * map, so such a loop would not exist and nothing would say so; the raw file is the only
 * place where it can still be seen.
 */
final class EmptyYamlLoopEntries {

	private static final List<String> LOOPS = List.of("eventloop", "loops");

	private EmptyYamlLoopEntries() {
	}

	/**
	 * Return the first loop written as an empty map, if any.
	 */
	static @Nullable Entry find(Environment environment) {
		if (!(environment instanceof ConfigurableEnvironment configurable)
				|| !ClassUtils.isPresent("org.yaml.snakeyaml.Yaml", EmptyYamlLoopEntries.class.getClassLoader())) {
			return null;
		}
		for (Resource resource : yamlResources(configurable)) {
			Entry entry = find(resource);
			if (entry != null) {
				return entry;
			}
		}
		return null;
	}

	private static Set<Resource> yamlResources(ConfigurableEnvironment environment) {
		Set<Resource> resources = new LinkedHashSet<>();
		for (PropertySource<?> source : environment.getPropertySources()) {
			if (source instanceof EnumerablePropertySource<?> enumerable && source instanceof OriginLookup<?>) {
				@SuppressWarnings("unchecked")
				OriginLookup<String> lookup = (OriginLookup<String>) source;
				String[] names = enumerable.getPropertyNames();
				Origin origin = (names.length > 0) ? lookup.getOrigin(names[0]) : null;
				if (origin instanceof TextResourceOrigin text && isYaml(text.getResource())) {
					resources.add(text.getResource());
				}
			}
		}
		return resources;
	}

	private static boolean isYaml(@Nullable Resource resource) {
		String name = (resource != null) ? resource.getFilename() : null;
		return name != null && (name.endsWith(".yml") || name.endsWith(".yaml"));
	}

	private static @Nullable Entry find(Resource resource) {
		try (Reader reader = new InputStreamReader(resource.getInputStream(), StandardCharsets.UTF_8)) {
			Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
			for (Node document : yaml.composeAll(reader)) {
				Entry entry = find(resource, document, List.of());
				if (entry != null) {
					return entry;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// the file loaded once already; if it cannot
			// be read again, there is nothing to add
		}
		return null;
	}

	private static @Nullable Entry find(Resource resource, Node node, List<String> path) {
		if (!(node instanceof MappingNode mapping)) {
			return null;
		}
		for (NodeTuple tuple : mapping.getValue()) {
			if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
				continue;
			}
			List<String> keyPath = new ArrayList<>(path);
			keyPath.addAll(List.of(key.getValue().split("\\.")));
			Node value = tuple.getValueNode();
			if (keyPath.size() == LOOPS.size() + 1 && keyPath.subList(0, LOOPS.size()).equals(LOOPS)
					&& value instanceof MappingNode map && map.getValue().isEmpty()) {
				TextResourceOrigin.Location location = new TextResourceOrigin.Location(value.getStartMark().getLine(),
						value.getStartMark().getColumn());
				return new Entry(keyPath.get(LOOPS.size()), new TextResourceOrigin(resource, location));
			}
			if (isPrefix(keyPath)) {
				Entry entry = find(resource, value, keyPath);
				if (entry != null) {
					return entry;
				}
			}
		}
		return null;
	}

	private static boolean isPrefix(List<String> keyPath) {
		return keyPath.size() <= LOOPS.size() && LOOPS.subList(0, keyPath.size()).equals(keyPath);
	}

	/**
	 * A loop written as an empty map, and where.
	 *
	 * @param name the loop's name
	 * @param origin the file, line and column of the empty map
	 */
	record Entry(String name, Origin origin) {
	}

}
