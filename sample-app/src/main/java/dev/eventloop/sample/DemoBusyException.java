package dev.eventloop.sample;

/**
 * Thrown when a demo control (a stall, the load generator) is asked to start while it is
 * already running; answered with a 409 problem detail.
 */
class DemoBusyException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String control;

	DemoBusyException(String control, String message) {
		super(message);
		this.control = control;
	}

	String getControl() {
		return this.control;
	}

}
