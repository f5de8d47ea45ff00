import { Link } from 'react-router';

export default function NotFoundPage() {
  return (
    <section className="narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Search stays</Link>
      </p>
    </section>
  );
}
