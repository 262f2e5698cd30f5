import java.math.BigDecimal;
import java.text.SimpleDateFormat;
import java.util.Collections;
import javax.jms.Connection;
import javax.jms.DeliveryMode;
import javax.jms.MapMessage;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * A JMS client over OpenWire, as the original Fleetman's Java services are: it sends a position report as the original
 * position-simulator does (a persistent MapMessage of strings) and receives one as the original position-tracker does
 * (the Map of strings, its time parsed with the original pattern, lat and long as BigDecimal).
 *
 * Usage (credentials in JMS_USERNAME and JMS_PASSWORD):
 *   send    BROKER_URL QUEUE key=value...   sends one MapMessage with these string entries
 *   receive BROKER_URL QUEUE TIMEOUT_MS     receives one message and prints key=value lines, then the parsed report;
 *                                           exit code 3 when nothing arrives, 4 when it is not a MapMessage
 */
public final class JmsMapClient {
    private JmsMapClient() {
    }

    public static void main(String[] args) throws Exception {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(System.getenv("JMS_USERNAME"), System.getenv("JMS_PASSWORD"), args[1]);
        Connection connection = factory.createConnection();
        try {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            if (args[0].equals("send")) {
                MessageProducer producer = session.createProducer(session.createQueue(args[2]));
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                MapMessage message = session.createMapMessage();
                for (int i = 3; i < args.length; i++) {
                    int equals = args[i].indexOf('=');
                    message.setString(args[i].substring(0, equals), args[i].substring(equals + 1));
                }
                producer.send(message);
                return;
            }

            MessageConsumer consumer = session.createConsumer(session.createQueue(args[2]));
            Message message = consumer.receive(Long.parseLong(args[3]));
            if (message == null) {
                System.exit(3);
            }
            if (!(message instanceof MapMessage)) {
                System.out.println("type=" + message.getClass().getSimpleName());
                System.exit(4);
            }
            MapMessage map = (MapMessage) message;
            for (Object name : Collections.list(map.getMapNames())) {
                Object value = map.getObject((String) name);
                System.out.println(name + "=" + value + "\t" + value.getClass().getSimpleName());
            }
            // What the original tracker does with it: any failure here is a failure to read the report.
            System.out.println("parsed.time=" + new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ").parse(map.getString("time")).getTime());
            System.out.println("parsed.lat=" + new BigDecimal(map.getString("lat")).toPlainString());
            System.out.println("parsed.long=" + new BigDecimal(map.getString("long")).toPlainString());
        } finally {
            connection.close();
        }
    }
}
