package dev.eventloop.spring.autoconfigure;

import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for the event-loop Actuator endpoint, under the
 * {@code eventloop.actuator} prefix.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("eventloop.actuator")
public class EventLoopActuatorProperties {

	/**
	 * When to show the stack trace of a stalled loop in the eventloops endpoint.
	 */
	private Show showStackTraces = Show.NEVER;

	/**
	 * Roles allowed to see stack traces when show-stack-traces is when-authorized. When
	 * empty, any authenticated user is allowed.
	 */
	private Set<String> roles = new LinkedHashSet<>();

	public Show getShowStackTraces() {
		return this.showStackTraces;
	}

	public void setShowStackTraces(Show showStackTraces) {
		this.showStackTraces = showStackTraces;
	}

	public Set<String> getRoles() {
		return this.roles;
	}

	public void setRoles(Set<String> roles) {
		this.roles = roles;
	}

}
