# The VideoShop node image. Build the node first, then the image from the repository root:
#   mvn -B -DskipTests package
#   docker build -t videoshop/node:0.1.0 .
# The jar's manifest puts lib/*.jar on its class path (cluster-node/pom.xml), so both are copied
# side by side; every dependency's reference.conf stays intact.
FROM eclipse-temurin:17-jre

# A numeric, non-root user: the kubelet can verify runAsNonRoot only for a numeric USER.
RUN groupadd --system --gid 10001 videoshop \
 && useradd --system --uid 10001 --gid 10001 --home-dir /opt/videoshop --shell /usr/sbin/nologin videoshop

WORKDIR /opt/videoshop
COPY cluster-node/target/lib/ lib/
COPY cluster-node/target/videoshop-node.jar videoshop-node.jar
# ./data holds the embedded H2 database when the image runs without PostgreSQL (one node).
RUN mkdir data && chown 10001:10001 data

USER 10001:10001
# HTTP (videoshop.http.port), Artery remoting (videoshop.cluster.port), Pekko Management
# (videoshop.management.port).
EXPOSE 8080 25520 8558
# Heap from the container's memory limit; exit on OOM so Kubernetes restarts a broken JVM.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=70", "-XX:+ExitOnOutOfMemoryError", "-jar", "videoshop-node.jar"]
