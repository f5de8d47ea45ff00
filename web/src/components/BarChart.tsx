/** Revenue by month as SVG bars, with the same numbers as a table for screen readers. */
import { money } from '../lib/format';

export function BarChart({
  months,
  currency,
}: {
  months: { month: string; bookings: number; revenue: number }[];
  currency: string;
}) {
  const max = Math.max(1, ...months.map((m) => m.revenue));
  const width = 600;
  const height = 200;
  const bar = width / Math.max(1, months.length);
  const label = (month: string) =>
    new Date(`${month}-01T00:00:00`).toLocaleDateString('en', { month: 'short' });
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height + 24}`} role="img" aria-labelledby="chart-caption">
        {months.map((m, i) => {
          const h = Math.round((m.revenue / max) * (height - 20));
          return (
            <g key={m.month}>
              <rect
                x={i * bar + 6}
                y={height - h}
                width={bar - 12}
                height={Math.max(h, 1)}
                rx={4}
                className="bar"
              >
                <title>
                  {m.month}: {money(m.revenue, currency)} from {m.bookings} stays
                </title>
              </rect>
              <text x={i * bar + bar / 2} y={height + 16} textAnchor="middle" className="axis">
                {label(m.month)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption id="chart-caption">
        Revenue by check-in month, last 12 months ({currency})
      </figcaption>
      <details>
        <summary>Show as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Stays</th>
              <th scope="col">Revenue</th>
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr key={m.month}>
                <td>{m.month}</td>
                <td>{m.bookings}</td>
                <td>{money(m.revenue, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
