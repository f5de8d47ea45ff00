/** The routes. The home page is in the first load; every other page loads when first opened. */
import { lazy } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { Layout, RequireRole } from './components/Layout';
import { HomePage } from './pages/Home';

const PropertyPage = lazy(() => import('./pages/Property'));
const LogInPage = lazy(() => import('./pages/LogIn'));
const SignUpPage = lazy(() => import('./pages/SignUp'));
const ForgotPasswordPage = lazy(() => import('./pages/ForgotPassword'));
const ResetPasswordPage = lazy(() => import('./pages/ResetPassword'));
const TripsPage = lazy(() => import('./pages/Trips'));
const TripPage = lazy(() => import('./pages/Trip'));
const FavoritesPage = lazy(() => import('./pages/Favorites'));
const ProfilePage = lazy(() => import('./pages/Profile'));
const NotificationsPage = lazy(() => import('./pages/Notifications'));
const DashboardPage = lazy(() => import('./pages/owner/Dashboard'));
const ListingFormPage = lazy(() => import('./pages/owner/ListingForm'));
const RequestsPage = lazy(() => import('./pages/owner/Requests'));
const NotFoundPage = lazy(() => import('./pages/NotFound'));

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<HomePage />} />
          <Route path="properties/:id" element={<PropertyPage />} />
          <Route path="login" element={<LogInPage />} />
          <Route path="signup" element={<SignUpPage />} />
          <Route path="forgot-password" element={<ForgotPasswordPage />} />
          <Route path="reset-password" element={<ResetPasswordPage />} />
          <Route
            path="trips"
            element={
              <RequireRole role="traveler">
                <TripsPage />
              </RequireRole>
            }
          />
          <Route
            path="trips/:id"
            element={
              <RequireRole>
                <TripPage />
              </RequireRole>
            }
          />
          <Route
            path="favorites"
            element={
              <RequireRole role="traveler">
                <FavoritesPage />
              </RequireRole>
            }
          />
          <Route
            path="profile"
            element={
              <RequireRole>
                <ProfilePage />
              </RequireRole>
            }
          />
          <Route
            path="notifications"
            element={
              <RequireRole>
                <NotificationsPage />
              </RequireRole>
            }
          />
          <Route
            path="owner"
            element={
              <RequireRole role="owner">
                <DashboardPage />
              </RequireRole>
            }
          />
          <Route
            path="owner/listings/new"
            element={
              <RequireRole role="owner">
                <ListingFormPage />
              </RequireRole>
            }
          />
          <Route
            path="owner/listings/:id/edit"
            element={
              <RequireRole role="owner">
                <ListingFormPage />
              </RequireRole>
            }
          />
          <Route
            path="owner/requests"
            element={
              <RequireRole role="owner">
                <RequestsPage />
              </RequireRole>
            }
          />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
