package dev.berth.bench;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A manifest every system holds, asked for as fast as the load generator can over keep-alive
 * connections ({@code wrk} for {@code GET}, {@link HeadLoad} for {@code HEAD}): by digest
 * (immutable) or by tag (within its TTL on Berth; Distribution's proxy asks its upstream on every
 * tag request), with {@code GET} or {@code HEAD}. nginx serves the same bytes as a file.
 */
final class ManifestRate implements Scenario {
  private static final String ACCEPT = Manifest.OCI_INDEX + ", " + Manifest.OCI_MANIFEST;

  private final Lab lab;
  private final Wrk wrk;
  private final HeadLoad heads;
  private final String method;
  private final boolean byTag;
  private final Manifest manifest;
  private final Metric rate;

  ManifestRate(Lab lab, Wrk wrk, HeadLoad heads, String method, boolean byTag) {
    this.lab = lab;
    this.wrk = wrk;
    this.heads = heads;
    this.method = method;
    this.byTag = byTag;
    this.manifest = byTag ? lab.data.index : lab.data.amd64;
    String by = byTag ? "tag" : "digest";
    this.rate =
        new Metric(
            "manifest-" + by + "-" + method.toLowerCase(java.util.Locale.ROOT) + ".rate",
            "manifest "
                + method
                + " by "
                + by
                + (byTag ? " within its TTL" : "")
                + ", "
                + lab.plan.manifestConnections()
                + " connections",
            Metric.Unit.REQUESTS_PER_SECOND);
  }

  @Override
  public String title() {
    return rate.title();
  }

  @Override
  public List<String> systems() {
    // nginx, the ceiling for raw serving, is measured on GET alone: the benchmark keeps to its
    // time.
    return method.equals("HEAD")
        ? lab.measured(List.of(Lab.BERTH, Lab.PROXY))
        : lab.measured(List.of(Lab.BERTH, Lab.PROXY, Lab.NGINX));
  }

  @Override
  public void check(String system) {
    HttpResponse<byte[]> res =
        Http.expect(Http.send(Http.request(url(system)).header("Accept", ACCEPT).build()), 200);
    String digest = Digests.of(res.body());
    String said = res.headers().firstValue("docker-content-digest").orElse(digest);
    if (!digest.equals(manifest.digest()) || !said.equals(digest)) {
      throw new BenchException(
          "GET "
              + url(system)
              + " sent a manifest of digest "
              + digest
              + " (header: "
              + said
              + "), not "
              + manifest.digest());
    }
  }

  @Override
  public void run(String system, Results results) {
    Duration d = lab.plan.manifestRun();
    int connections = lab.plan.manifestConnections();
    Wrk.Rate r =
        method.equals("HEAD")
            ? heads.run(url(system), ACCEPT, d, connections)
            : wrk.run(method, url(system), ACCEPT, d, connections);
    results.add(rate, system, r.perSecond());
  }

  private String url(String system) {
    if (system.equals(Lab.NGINX)) {
      return lab.nginx.url() + "/manifests/" + manifest.hex();
    }
    String ref = byTag ? DataSet.INDEX_TAG : manifest.digest();
    return lab.server(system).url() + "/v2/" + DataSet.REPO + "/manifests/" + ref;
  }
}
