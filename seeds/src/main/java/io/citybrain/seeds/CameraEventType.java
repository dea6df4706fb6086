package io.citybrain.seeds;

import java.io.Serializable;

/**
 * A detection the video-analytics layer reports, and the grid-case category/sub-type it belongs to.
 */
public record CameraEventType(
    String id, String nameZh, String nameEn, String gridCase, Boolean createsCase)
    implements Serializable {

  public String category() {
    return gridCase.substring(0, gridCase.indexOf('/'));
  }

  public String subtype() {
    return gridCase.substring(gridCase.indexOf('/') + 1);
  }
}
