package dev.miroir.router.http;

/**
 * The seam for search (issue 4): {@code /indexes/{uid}/search}, {@code /multi-search},
 * {@code /facet-search}, document reads and {@code /similar}. Until that work lands it mounts
 * nothing, so these routes answer {@code miroir_route_not_found}.
 *
 * <p>A search module reads the topology once per request ({@link Fleet#snapshot()}), asks nodes via
 * {@link Fleet#nodes()} with the client's Authorization ({@link Endpoints#clientAuthorization}),
 * merges with the pure functions of {@code dev.miroir.router.search}, and strips the shard stamp from
 * every hit ({@link dev.miroir.router.write.ReservedFields#stripFromDocument}).
 */
public class SearchRoutes implements RouteModule {

  @Override
  public void mount(Endpoints endpoints, Fleet fleet) {}
}
