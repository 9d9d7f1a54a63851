package dev.eventloop.apiprobe;

/**
 * A public type whose public methods come from a package-private base, as
 * {@code EventLoop.Builder}'s come from {@code LoopBuilder}: they are public API, so a
 * package-private type in their signatures is exposed.
 */
public final class InheritingApi extends HiddenBase<InheritingApi> {

}
