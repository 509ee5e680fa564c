import { createRoot } from 'react-dom/client';
import '@/components/page.css';
import { ReportPage } from '@/components/report/ReportPage';

createRoot(document.getElementById('root')!).render(<ReportPage id={new URLSearchParams(location.search).get('check') ?? ''} />);
