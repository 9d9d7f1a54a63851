package dev.eventloop.spring;

import java.util.ArrayList;
import java.util.List;

import dev.eventloop.EventLoopGroup;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * Bean names of configured loops, and the one look-up of a loop or group by the name that
 * {@link OnEventLoop @OnEventLoop}, {@code @Async}, {@code @Scheduled(scheduler = ...)}
 * and {@code @KafkaListener} methods give.
 * <p>
 * A configured loop or group {@code worker} (and each loop {@code worker-<n>} of a larger
 * group) is the bean {@code eventloop.loop.worker}, qualified with {@code @Qualifier}
 * {@code ("worker")}: its name is not a bean name, so that an application bean
 * {@code worker} (a {@code @Service class Worker}) can live beside it. A name is looked
 * up as a configured loop first, then as an {@link EventLoopGroup} bean of the
 * application of that bean name. Neither check creates a bean.
 *
 * @since 0.1.0
 */
public final class EventLoopBeans {

	/**
	 * Prefix of the bean name of a configured loop or group.
	 */
	public static final String BEAN_NAME_PREFIX = "eventloop.loop.";

	private EventLoopBeans() {
	}

	/**
	 * Return the bean name of the configured loop or group of the given name.
	 * @param loopName the name of the loop or group, for example {@code worker-1}
	 * @return its bean name, for example {@code eventloop.loop.worker-1}
	 */
	public static String beanName(String loopName) {
		return BEAN_NAME_PREFIX + loopName;
	}

	/**
	 * Return the bean name of the loop or group of the given name, or {@code null} if
	 * there is none: a configured loop, else an {@link EventLoopGroup} bean of that bean
	 * name. Creates no bean.
	 * @param beanFactory the bean factory to look in
	 * @param name the name of the loop or group
	 * @return the name of its bean, or {@code null}
	 */
	public static @Nullable String resolveBeanName(BeanFactory beanFactory, String name) {
		String configured = beanName(name);
		if (isGroupBean(beanFactory, configured)) {
			return configured;
		}
		return isGroupBean(beanFactory, name) ? name : null;
	}

	/**
	 * Return the loop or group of the given name.
	 * @param beanFactory the bean factory to look in
	 * @param name the name of the loop or group
	 * @return the loop or group
	 * @throws IllegalArgumentException if there is none of that name
	 */
	public static EventLoopGroup get(BeanFactory beanFactory, String name) {
		String beanName = resolveBeanName(beanFactory, name);
		if (beanName == null) {
			throw new IllegalArgumentException("No event loop or group is named '" + name + "'");
		}
		return beanFactory.getBean(beanName, EventLoopGroup.class);
	}

	/**
	 * Return the names of the loops and groups defined in the bean factory, as they are
	 * named in annotations: configured loops by their loop name, other
	 * {@link EventLoopGroup} beans by their bean name. Creates no bean.
	 * @param beanFactory the bean factory to look in
	 * @return the names
	 */
	public static List<String> names(ListableBeanFactory beanFactory) {
		List<String> names = new ArrayList<>();
		for (String beanName : beanFactory.getBeanNamesForType(EventLoopGroup.class, false, false)) {
			names.add(beanName.startsWith(BEAN_NAME_PREFIX) ? beanName.substring(BEAN_NAME_PREFIX.length()) : beanName);
		}
		return names;
	}

	private static boolean isGroupBean(BeanFactory beanFactory, String beanName) {
		return beanFactory.containsBean(beanName) && beanFactory.isTypeMatch(beanName, EventLoopGroup.class);
	}

}
