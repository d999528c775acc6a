package dev.miroir.router.http;

/**
 * A group of routes mounted on the router. The server mounts the modules of part 1 (writes, admin)
 * and then any extra module given in the configuration, which is how search (issue 4) plugs in
 * without touching this code: see {@link SearchRoutes}.
 */
public interface RouteModule {

  void mount(Endpoints endpoints, Fleet fleet);
}
