package dev.eventloop;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Look-up of groups and loops by name. Group names and loop names share one namespace: a
 * single-threaded group is its own loop, and the loops of larger groups are named
 * {@code <group>-<index>}.
 *
 * @since 0.1.0
 */
public final class EventLoopRegistry {

	private final Map<String, EventLoopGroup> groups;

	private final Map<String, EventLoop> loops;

	/**
	 * Create a registry of the given groups.
	 * @param groups the groups, whose names and loop names must all be distinct
	 * @throws IllegalArgumentException if two groups or loops share a name
	 */
	public EventLoopRegistry(Collection<? extends EventLoopGroup> groups) {
		Map<String, EventLoopGroup> groupsByName = new LinkedHashMap<>();
		Map<String, EventLoop> loopsByName = new LinkedHashMap<>();
		for (EventLoopGroup group : groups) {
			Objects.requireNonNull(group, "groups must not contain null");
			if (groupsByName.putIfAbsent(group.name(), group) != null) {
				throw new IllegalArgumentException("Two event loop groups are named '" + group.name() + "'");
			}
			for (EventLoop loop : group.loops()) {
				if (loopsByName.putIfAbsent(loop.name(), loop) != null) {
					throw new IllegalArgumentException("Two event loops are named '" + loop.name() + "'");
				}
			}
		}
		for (EventLoopGroup group : groupsByName.values()) {
			EventLoop clash = loopsByName.get(group.name());
			if (clash != null && clash != group) {
				throw new IllegalArgumentException("Event loop group '" + group.name()
						+ "' has the same name as a loop of group '" + clash.group().name() + "'");
			}
		}
		this.groups = Collections.unmodifiableMap(groupsByName);
		this.loops = Collections.unmodifiableMap(loopsByName);
	}

	/**
	 * Return the group of the given name.
	 * @param name the group name
	 * @return the group, or empty if there is none of that name
	 */
	public Optional<EventLoopGroup> group(String name) {
		return Optional.ofNullable(this.groups.get(name));
	}

	/**
	 * Return the loop of the given name.
	 * @param name the loop name, for example {@code orders-2}
	 * @return the loop, or empty if there is none of that name
	 */
	public Optional<EventLoop> loop(String name) {
		return Optional.ofNullable(this.loops.get(name));
	}

	/**
	 * Return the group names, in registration order.
	 * @return the group names
	 */
	public Set<String> groupNames() {
		return this.groups.keySet();
	}

	/**
	 * Return every group, in registration order.
	 * @return the groups
	 */
	public List<EventLoopGroup> groups() {
		return List.copyOf(this.groups.values());
	}

	/**
	 * Return every loop of every group, in registration order.
	 * @return the loops
	 */
	public List<EventLoop> loops() {
		return new ArrayList<>(this.loops.values());
	}

}
