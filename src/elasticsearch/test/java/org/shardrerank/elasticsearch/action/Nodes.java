package org.shardrerank.elasticsearch.action;

import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.node.DiscoveryNode;
import org.elasticsearch.cluster.node.VersionInformation;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.bytes.BytesReference;
import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.common.transport.TransportAddress;
import org.elasticsearch.common.xcontent.XContentHelper;
import org.elasticsearch.xcontent.ToXContent;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentType;
import org.elasticsearch.xcontent.json.JsonXContent;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.Set;

/** Test nodes and the two forms of a nodes response: its JSON, and a copy through the wire. */
final class Nodes {
    static final ClusterName CLUSTER = new ClusterName("c");

    private Nodes() {}

    static DiscoveryNode node(String id) {
        return new DiscoveryNode("node-" + id, id, new TransportAddress(InetAddress.getLoopbackAddress(), 9300), Map.of(), Set.of(),
            VersionInformation.CURRENT);
    }

    static String json(ToXContent response) throws IOException {
        XContentBuilder b = JsonXContent.contentBuilder();
        response.toXContent(b, ToXContent.EMPTY_PARAMS);
        return BytesReference.bytes(b).utf8ToString();
    }

    static Map<String, Object> map(ToXContent response) throws IOException {
        return XContentHelper.convertToMap(new BytesArray(json(response)), false, XContentType.JSON).v2();
    }

    static <T extends Writeable> T copy(T response, Writeable.Reader<T> reader) throws IOException {
        try (BytesStreamOutput out = new BytesStreamOutput()) {
            response.writeTo(out);
            try (StreamInput in = out.bytes().streamInput()) {
                return reader.read(in);
            }
        }
    }
}
